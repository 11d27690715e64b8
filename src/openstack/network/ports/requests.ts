import { neutronResource } from '../../common.js';
import type { CreatePortInput, ListPortsOptions, Port, UpdatePortInput } from './types.js';
import * as urls from './urls.js';

const api = neutronResource<Port, CreatePortInput, UpdatePortInput, ListPortsOptions>({
  key: 'port',
  listKey: 'ports',
  what: 'port',
  collection: urls.ports,
  item: urls.port,
});

export const list = api.list;
export const get = api.get;
export const create = api.create;
export const update = api.update;
export const remove = api.remove;
