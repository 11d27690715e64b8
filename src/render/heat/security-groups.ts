/**
 * Security groups and their rules in Heat 19 (Zed) terms. Two resource types, each with a gap:
 * `OS::Neutron::SecurityGroupRule` has no way to say "any protocol" (an omitted or null protocol
 * becomes tcp), and the rules inside `OS::Neutron::SecurityGroup` have no description and name
 * other groups by id only. So a rule for one protocol is a rule resource of its own (after both
 * groups, like Downpour's rules node), and a rule for any protocol is part of its group, naming
 * another group by `get_resource` unless that would make two groups wait for each other.
 */
import type { KindName } from '../../kinds/model.js';
import { docOf, identifier, refTo, type RenderResource } from '../model.js';
import {
  list,
  nonEmpty,
  ownTags,
  props,
  type BlockMaker,
  type HeatBlock,
  type HeatContext,
} from './common.js';

interface RuleDoc {
  direction: 'ingress' | 'egress';
  ethertype?: string;
  protocol?: string | number | null;
  port_range_min?: number | null;
  port_range_max?: number | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  description?: string | null;
}

const anyProtocol = (rule: RuleDoc) => rule.protocol === null || rule.protocol === undefined;

function describe(rule: RuleDoc, groupName: (id: string) => string): string {
  const ports =
    rule.port_range_min === null || rule.port_range_min === undefined
      ? ''
      : rule.port_range_max !== rule.port_range_min && rule.port_range_max !== null
        ? ` ports ${rule.port_range_min}-${rule.port_range_max}`
        : ` port ${rule.port_range_min}`;
  const remote = rule.remote_group_id
    ? `group ${groupName(rule.remote_group_id)}`
    : (rule.remote_ip_prefix ?? 'anywhere');
  return `${rule.direction} ${rule.ethertype ?? 'IPv4'} ${anyProtocol(rule) ? 'any protocol' : String(rule.protocol)}${ports} ${rule.direction === 'egress' ? 'to' : 'from'} ${remote}`;
}

function rulesOf(ctx: HeatContext, groupSourceId: string): RuleDoc[] {
  const found = refTo(ctx.model, 'network.security-group-rules', groupSourceId);
  return found?.type === 'resource' ? list<RuleDoc>(found.resource.doc['rules']) : [];
}

const nameOf = (ctx: HeatContext) => (id: string) => {
  const found = refTo(ctx.model, 'network.security-group', id);
  return found?.type === 'resource' ? (found.resource.name ?? id) : id;
};

/** Rules Neutron puts into every project's default group: the destination's has them already. */
function inEveryDefaultGroup(rule: RuleDoc, groupId: string): boolean {
  if (!anyProtocol(rule) || rule.port_range_min != null || rule.remote_ip_prefix) return false;
  if (rule.direction === 'egress') return !rule.remote_group_id;
  return rule.remote_group_id === groupId;
}

export function securityGroupBlock(ctx: HeatContext, r: RenderResource): Omit<HeatBlock, 'source'> {
  const d = r.doc;
  if (d['is_default'] === true) {
    return {
      comment: [
        r.comment,
        "Merged into the destination project's own default group, as Downpour's import does: Neutron",
        'refuses a second group named "default", so ports and rules below name that group "default".',
      ],
      resources: [],
    };
  }
  const groupName = nameOf(ctx);
  const comment = [r.comment];
  const inline: Record<string, unknown>[] = [];
  for (const rule of rulesOf(ctx, r.sourceId).filter(anyProtocol)) {
    const base = props({
      direction: rule.direction,
      ethertype: rule.ethertype ?? 'IPv4',
      remote_ip_prefix: rule.remote_ip_prefix ?? undefined,
    });
    if (!rule.remote_group_id) inline.push(base);
    else if (rule.remote_group_id === r.sourceId) inline.push({ ...base, remote_mode: 'remote_group_id' });
    else {
      const other = ctx.groups.reference(rule.remote_group_id);
      if (
        other &&
        other !== 'default' &&
        'get_resource' in other &&
        ctx.groups.link(r.symbol, other.get_resource)
      )
        inline.push({ ...base, remote_mode: 'remote_group_id', remote_group_id: other });
      else {
        const what = `the rule "${describe(rule, groupName)}" of group ${r.name ?? r.sourceId}`;
        comment.push(`Left out: ${what} (see README.md).`);
        ctx.limits.push(
          `Left out: ${what}. A rule for any protocol can only be part of its group's resource, and there it cannot name ${other === 'default' ? 'the default group (Heat takes only an id there)' : 'a group that in turn names this one'}. Add it after the stack is created.`,
        );
      }
    }
    if (nonEmpty(rule.description))
      ctx.limits.push(
        `The rule "${describe(rule, groupName)}" of group ${r.name ?? r.sourceId} loses its description: rules inside OS::Neutron::SecurityGroup have none.`,
      );
  }
  if (inline.length)
    comment.push(
      'Its rules for any protocol are part of the group: OS::Neutron::SecurityGroupRule cannot say "any".',
    );
  if (d['stateful'] === false)
    ctx.limits.push(
      `Security group ${r.name ?? r.sourceId} was stateless at the source; Heat's OS::Neutron::SecurityGroup (Zed) cannot say so: it is created stateful.`,
    );
  if (ownTags(d['tags']).length)
    ctx.limits.push(
      `Security group ${r.name ?? r.sourceId} had tags; Heat's OS::Neutron::SecurityGroup cannot set them.`,
    );
  return {
    comment,
    resources: [
      {
        name: r.symbol,
        type: 'OS::Neutron::SecurityGroup',
        properties: props({
          name: r.name,
          description: typeof d['description'] === 'string' ? d['description'] : undefined,
          rules: inline.length ? inline : undefined,
        }),
      },
    ],
  };
}

export function securityGroupRulesBlock(ctx: HeatContext, r: RenderResource): Omit<HeatBlock, 'source'> {
  const groupId = docOf(r, 'network.security-group-rules').security_group_id;
  const group = ctx.groups.reference(groupId);
  const merged = ctx.groups.isDefault(groupId);
  const groupName = nameOf(ctx);
  const comment = [r.comment];
  if (merged)
    comment.push(
      'Added to the destination\'s "default" group; a rule it already has makes the stack fail with a conflict (remove that rule here).',
    );
  const resources: HeatBlock['resources'] = [];
  if (!group) return { comment, resources };
  for (const rule of list<RuleDoc>(r.doc['rules'])) {
    const text = describe(rule, groupName);
    if (anyProtocol(rule)) {
      if (!merged) continue; // part of the group's own resource
      if (inEveryDefaultGroup(rule, groupId)) comment.push(`"${text}": every default group has it.`);
      else {
        comment.push(`Left out: "${text}" (see README.md).`);
        ctx.limits.push(
          `Left out: the rule "${text}" of the default group. OS::Neutron::SecurityGroupRule cannot say "any protocol", and the destination's default group is no resource of the stack. Add it after the stack is created.`,
        );
      }
      continue;
    }
    const remote = rule.remote_group_id ? ctx.groups.reference(rule.remote_group_id) : undefined;
    const ports =
      rule.port_range_min === null || rule.port_range_min === undefined
        ? ''
        : `${rule.port_range_min}${rule.port_range_max !== rule.port_range_min && rule.port_range_max != null ? `_${rule.port_range_max}` : ''}`;
    const label = identifier(
      `${rule.direction} ${String(rule.protocol)} ${ports} ${rule.ethertype === 'IPv6' ? 'v6' : ''}`,
    );
    resources.push({
      name: ctx.names.take(`${r.symbol}_${label}`),
      type: 'OS::Neutron::SecurityGroupRule',
      comment: [text],
      properties: props({
        security_group: group,
        direction: rule.direction,
        ethertype: rule.ethertype ?? 'IPv4',
        protocol: String(rule.protocol),
        port_range_min: rule.port_range_min ?? undefined,
        port_range_max: rule.port_range_max ?? undefined,
        remote_ip_prefix: rule.remote_ip_prefix ?? undefined,
        remote_group: remote,
        description: nonEmpty(rule.description),
      }),
    });
  }
  return { comment, resources };
}

/** The blocks of this file by kind name: part of the template's table (`HEAT_KINDS`). */
export const HEAT_SECURITY_GROUPS = {
  'network.security-group': securityGroupBlock,
  'network.security-group-rules': securityGroupRulesBlock,
} satisfies Partial<Record<KindName, BlockMaker>>;
