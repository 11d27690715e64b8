import * as ports from '../../openstack/network/ports/index.js';
import { sourceList } from '../source-cache.js';

/** The project's ports at the source, listed once per export. */
export const portList = sourceList('network.port', (session, options) => ports.list(session, {}, options));
