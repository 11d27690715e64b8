import * as floatingIps from '../../openstack/network/floating-ips/index.js';
import { sourceList } from '../source-cache.js';

/** The project's floating IPs at the source, listed once per export. */
export const floatingIpList = sourceList('network.floating-ip', (session, options) =>
  floatingIps.list(session, {}, options),
);
