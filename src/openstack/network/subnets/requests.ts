import { neutronResource } from '../../common.js';
import type { CreateSubnetInput, ListSubnetsOptions, Subnet, UpdateSubnetInput } from './types.js';
import * as urls from './urls.js';

const api = neutronResource<Subnet, CreateSubnetInput, UpdateSubnetInput, ListSubnetsOptions>({
  key: 'subnet',
  listKey: 'subnets',
  what: 'subnet',
  collection: urls.subnets,
  item: urls.subnet,
});

export const list = api.list;
export const get = api.get;
export const create = api.create;
export const update = api.update;
/** 409 while ports other than the DHCP port still hold addresses on it. */
export const remove = api.remove;
