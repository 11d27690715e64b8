import { neutronResource } from '../../common.js';
import type {
  CreateFloatingIpInput,
  FloatingIp,
  ListFloatingIpsOptions,
  UpdateFloatingIpInput,
} from './types.js';
import * as urls from './urls.js';

const api = neutronResource<FloatingIp, CreateFloatingIpInput, UpdateFloatingIpInput, ListFloatingIpsOptions>(
  {
    key: 'floatingip',
    listKey: 'floatingips',
    what: 'floating IP',
    collection: urls.floatingIps,
    item: urls.floatingIp,
  },
);

export const list = api.list;
export const get = api.get;
/** With a `port_id`, the port's subnet must reach the external network through a router (else 404). */
export const create = api.create;
/** Associate (`port_id`) or disassociate (`port_id: null`). */
export const update = api.update;
export const remove = api.remove;
