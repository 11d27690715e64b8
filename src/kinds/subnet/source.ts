import * as subnets from '../../openstack/network/subnets/index.js';
import { sourceList } from '../source-cache.js';

/** The project's subnets at the source, listed once per export. */
export const subnetList = sourceList('network.subnet', (session, options) =>
  subnets.list(session, {}, options),
);
