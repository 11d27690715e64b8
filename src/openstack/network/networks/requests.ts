import { neutronResource } from '../../common.js';
import type { CreateNetworkInput, ListNetworksOptions, Network, UpdateNetworkInput } from './types.js';
import * as urls from './urls.js';

const api = neutronResource<Network, CreateNetworkInput, UpdateNetworkInput, ListNetworksOptions>({
  key: 'network',
  listKey: 'networks',
  what: 'network',
  collection: urls.networks,
  item: urls.network,
});

/** Networks the project can see: its own, shared ones and external ones. */
export const list = api.list;
export const get = api.get;
export const create = api.create;
export const update = api.update;
export const remove = api.remove;
