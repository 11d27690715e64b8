import { neutronResource } from '../../common.js';
import type {
  CreateSecurityGroupRuleInput,
  ListSecurityGroupRulesOptions,
  SecurityGroupRule,
} from './types.js';
import * as urls from './urls.js';

const api = neutronResource<
  SecurityGroupRule,
  CreateSecurityGroupRuleInput,
  never,
  ListSecurityGroupRulesOptions
>({
  key: 'security_group_rule',
  listKey: 'security_group_rules',
  what: 'security group rule',
  collection: urls.rules,
  item: urls.rule,
});

export const list = api.list;
export const get = api.get;
/** A rule identical to an existing one is refused with 409: treat it as "exists" when converging. */
export const create = api.create;
// Rules are immutable: no update.
export const remove = api.remove;
