import * as routers from '../../openstack/network/routers/index.js';
import { sourceList } from '../source-cache.js';

/** The project's routers at the source, listed once per export. */
export const routerList = sourceList('network.router', (session, options) =>
  routers.list(session, {}, options),
);
