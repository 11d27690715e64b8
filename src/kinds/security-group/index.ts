import { defineKind } from '../kind.js';
import { securityGroupApply, securityGroupRulesApply } from './apply.js';
import { securityGroupDocument, securityGroupRulesDocument } from './document.js';
import { securityGroupExport, securityGroupRulesExport } from './export.js';

/** A security group: created, or for the project's `default` group merged into the destination's own. */
export const securityGroup = defineKind({
  type: 'network.security-group',
  noun: ['security group', 'security groups'],
  renderRank: 3,
  symbol: 'secgroup',
  removalRank: 9,
  quota: { service: 'network', resource: 'security_group' },
  document: securityGroupDocument,
  export: securityGroupExport,
  apply: securityGroupApply,
});

/**
 * The rules of one group: a node of their own, after every group they name, so groups that
 * name each other need no cycle. Rules are found by their content, not by tags.
 */
export const securityGroupRules = defineKind({
  type: 'network.security-group-rules',
  noun: ["security group's rules", "security groups' rules"],
  renderRank: 4,
  symbol: 'secgroup_rules',
  removalRank: 3,
  document: securityGroupRulesDocument,
  export: securityGroupRulesExport,
  apply: securityGroupRulesApply,
});
