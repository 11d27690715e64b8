import * as serverGroups from '../../openstack/compute/server-groups/index.js';
import { sourceList } from '../source-cache.js';

/** The project's server groups at the source, listed once per export. */
export const serverGroupList = sourceList('compute.server-group', (session, options) =>
  serverGroups.list(session, options),
);
