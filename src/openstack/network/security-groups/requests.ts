import { neutronResource } from '../../common.js';
import type {
  CreateSecurityGroupInput,
  ListSecurityGroupsOptions,
  SecurityGroup,
  UpdateSecurityGroupInput,
} from './types.js';
import * as urls from './urls.js';

const api = neutronResource<
  SecurityGroup,
  CreateSecurityGroupInput,
  UpdateSecurityGroupInput,
  ListSecurityGroupsOptions
>({
  key: 'security_group',
  listKey: 'security_groups',
  what: 'security group',
  collection: urls.securityGroups,
  item: urls.securityGroup,
});

/** Listing also makes Neutron create the project's `default` group if it did not exist yet. */
export const list = api.list;
export const get = api.get;
/** A new group comes with the cloud's template egress rules (normally two). */
export const create = api.create;
export const update = api.update;
export const remove = api.remove;
