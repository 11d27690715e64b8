import { maybe, tags, v, type DocumentOf } from '../document.js';

export const securityGroupDocument = v.object({
  name: maybe(v.string()),
  description: maybe(v.string()),
  stateful: maybe(v.boolean()),
  tags,
  /** The project's `default` group: merged into the destination's own, never made twice. */
  is_default: maybe(v.boolean()),
});
export type SecurityGroupDocument = DocumentOf<typeof securityGroupDocument>;

export const securityGroupRule = v.object({
  direction: v.picklist(['ingress', 'egress']),
  ethertype: maybe(v.picklist(['IPv4', 'IPv6'])),
  protocol: maybe(v.union([v.string(), v.number()])),
  port_range_min: maybe(v.number()),
  port_range_max: maybe(v.number()),
  remote_ip_prefix: maybe(v.string()),
  remote_group_id: maybe(v.string()),
  remote_address_group_id: maybe(v.string()),
  description: maybe(v.string()),
});
export type SecurityGroupRuleDocument = DocumentOf<typeof securityGroupRule>;

/** The rules of one group, a node of their own so that groups naming each other need no cycle. */
export const securityGroupRulesDocument = v.object({
  security_group_id: v.string(),
  rules: v.array(securityGroupRule),
});
export type SecurityGroupRulesDocument = DocumentOf<typeof securityGroupRulesDocument>;
