import type { NeutronListFilters, NeutronStandardAttributes } from '../../common.js';

export type Direction = 'ingress' | 'egress';
export type EtherType = 'IPv4' | 'IPv6';

export interface SecurityGroupRule extends NeutronStandardAttributes {
  security_group_id: string;
  direction: Direction;
  ethertype: EtherType;
  /** Name ("tcp") or number as a string; null: any protocol. */
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  /** security-groups-remote-address-group */
  remote_address_group_id?: string | null;
  /** Read-only (2023.2+). */
  belongs_to_default_sg?: boolean;
  normalized_cidr?: string | null;
}

export interface CreateSecurityGroupRuleInput {
  security_group_id: string;
  direction: Direction;
  ethertype?: EtherType;
  protocol?: string | null;
  port_range_min?: number | null;
  port_range_max?: number | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  remote_address_group_id?: string | null;
  description?: string;
}

export interface ListSecurityGroupRulesOptions extends NeutronListFilters {
  security_group_id?: string;
  direction?: Direction;
  ethertype?: EtherType;
  protocol?: string;
  remote_group_id?: string;
}
