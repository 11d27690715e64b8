import type { NeutronListFilters, NeutronStandardAttributes } from '../../common.js';
import type { SecurityGroupRule } from '../security-group-rules/types.js';

export interface SecurityGroup extends NeutronStandardAttributes {
  name: string;
  security_group_rules: SecurityGroupRule[];
  /** stateful-security-group */
  stateful?: boolean;
  shared?: boolean;
}

export interface CreateSecurityGroupInput {
  /** "default" is refused (409): every project already has one. */
  name: string;
  description?: string;
  stateful?: boolean;
}

export type UpdateSecurityGroupInput = Partial<CreateSecurityGroupInput>;

export interface ListSecurityGroupsOptions extends NeutronListFilters {
  name?: string;
}
