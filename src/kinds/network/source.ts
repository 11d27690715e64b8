import * as networks from '../../openstack/network/networks/index.js';
import { sourceList } from '../source-cache.js';

/** The project's networks at the source, listed once per export. */
export const networkList = sourceList('network.network', (session, options) =>
  networks.list(session, {}, options),
);
