import { pick, type KindExport, type Reference } from '../kind.js';
import type {
  SecurityGroupDocument,
  SecurityGroupRuleDocument,
  SecurityGroupRulesDocument,
} from './document.js';
import { securityGroupList, securityGroupRuleList } from './source.js';

/**
 * A security group is two nodes: the group, and its rules. Rules may reference other groups
 * (and those groups may reference back), so splitting them keeps the graph free of cycles:
 * every group is created first, then every rule set.
 */
export const securityGroupExport: KindExport<SecurityGroupDocument> = {
  kind: 'network.security-group',
  async describe(ctx, id) {
    const group = (await ctx.cache.all(securityGroupList)).get(id);
    if (!group) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `network.security-group:${id}`,
        message: `security group ${id} is not visible to this project`,
      });
      return undefined;
    }
    const document: SecurityGroupDocument = {
      ...pick(group, ['name', 'description', 'stateful', 'tags']),
      // The destination project has its own "default" group: rules are merged into it, never a second one.
      is_default: group.name === 'default',
    };
    return {
      name: group.name || undefined,
      disposition: 'create',
      document,
      dependsOn: [],
      related: [{ kind: 'network.security-group-rules', id }],
    };
  },
};

const RULE_FIELDS = [
  'direction',
  'ethertype',
  'protocol',
  'port_range_min',
  'port_range_max',
  'remote_ip_prefix',
  'remote_group_id',
  'remote_address_group_id',
  'description',
] as const;

export const securityGroupRulesExport: KindExport<SecurityGroupRulesDocument> = {
  kind: 'network.security-group-rules',
  async describe(ctx, id) {
    const groups = await ctx.cache.all(securityGroupList);
    const group = groups.get(id);
    if (!group) return undefined;
    const dependsOn: Reference[] = [{ kind: 'network.security-group', id }];
    const rules: SecurityGroupRuleDocument[] = [];
    for (const rule of (await ctx.cache.all(securityGroupRuleList)).values()) {
      if (rule.security_group_id !== id) continue;
      if (rule.remote_address_group_id) {
        ctx.note({
          severity: 'warning',
          code: 'RULE_DROPPED',
          key: `network.security-group-rules:${id}`,
          message: `a rule of security group ${group.name} uses address group ${rule.remote_address_group_id}, which Downpour does not move; the rule is left out`,
        });
        continue;
      }
      if (rule.remote_group_id && rule.remote_group_id !== id) {
        if (!groups.has(rule.remote_group_id)) {
          ctx.note({
            severity: 'warning',
            code: 'RULE_DROPPED',
            key: `network.security-group-rules:${id}`,
            message: `a rule of security group ${group.name} references group ${rule.remote_group_id}, which this project cannot read; the rule is left out`,
          });
          continue;
        }
        dependsOn.push({ kind: 'network.security-group', id: rule.remote_group_id });
      }
      rules.push(pick(rule, RULE_FIELDS));
    }
    rules.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return {
      name: group.name || undefined,
      disposition: 'create',
      document: { security_group_id: id, rules },
      dependsOn,
    };
  },
};
