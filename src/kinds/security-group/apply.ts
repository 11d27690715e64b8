import * as groups from '../../openstack/network/security-groups/index.js';
import * as rules from '../../openstack/network/security-group-rules/index.js';
import type { SecurityGroupRule } from '../../openstack/network/security-group-rules/index.js';
import { isConflict, isNotFound } from '../../openstack/http/errors.js';
import { orUndefined } from '../../openstack/common.js';
import { defined, intent, opts, targetOf, type ApplyContext, type KindApply } from '../apply/context.js';
import { findNeutron, listTagged, tagNeutron } from '../apply/neutron.js';
import type {
  SecurityGroupDocument,
  SecurityGroupRuleDocument,
  SecurityGroupRulesDocument,
} from './document.js';

export const securityGroupApply: KindApply<SecurityGroupDocument> = {
  kind: 'network.security-group',
  find: (ctx, node, doc, entry) =>
    findNeutron(ctx, node, (f) => groups.list(ctx.session, f, opts(ctx)), doc.name, intent(entry)),
  async create(ctx, node, doc, record, existing) {
    if (existing) {
      await tagNeutron(ctx, 'security-groups', existing.id, node, doc.tags);
      return existing;
    }
    const group = await groups.create(
      ctx.session,
      defined<groups.CreateSecurityGroupInput>({
        name: doc.name,
        description: doc.description,
        stateful: doc.stateful,
      }),
      opts(ctx),
    );
    await record({ id: group.id });
    await tagNeutron(ctx, 'security-groups', group.id, node, doc.tags);
    return { id: group.id };
  },
  tagged: listTagged(groups.list),
  async remove(ctx, entry) {
    if (entry.targetId)
      await orUndefined(() => groups.remove(ctx.session, entry.targetId as string, opts(ctx)));
  },
};

/** A rule as a comparable tuple: what makes two rules the same to Neutron (a duplicate is refused with 409). */
function ruleTuple(r: SecurityGroupRuleDocument, remoteGroup: string | null): string {
  const protocol = r.protocol === null || r.protocol === undefined ? 'any' : String(r.protocol).toLowerCase();
  return JSON.stringify([
    r.direction,
    r.ethertype ?? 'IPv4',
    protocol,
    r.port_range_min ?? null,
    r.port_range_max ?? null,
    r.remote_ip_prefix ?? null,
    remoteGroup,
  ]);
}

function marker(ctx: ApplyContext): string {
  return `downpour:bundle=${ctx.bundleId}`;
}

/**
 * The rules of one group. In a group Downpour created, every rule is its own and goes with the
 * group. Merged into the destination's `default` group, only the rules Downpour added are
 * recorded (and marked in their description), so destroy removes exactly those.
 */
export const securityGroupRulesApply: KindApply<SecurityGroupRulesDocument> = {
  kind: 'network.security-group-rules',
  find() {
    // Rules are reconciled by content in `create`, which is idempotent.
    return Promise.resolve(undefined);
  },
  async create(ctx, _node, doc, record) {
    const sourceGroup = doc.security_group_id;
    const groupId = targetOf(ctx, 'network.security-group', sourceGroup);
    const merging = ctx.plan.get(`network.security-group:${sourceGroup}`)?.action === 'merge';
    const o = opts(ctx);
    const existing = new Map<string, SecurityGroupRule>();
    for await (const r of rules.list(ctx.session, { security_group_id: groupId }, o))
      existing.set(ruleTuple(r, r.remote_group_id), r);
    const added: string[] = [];
    const wanted = new Set<string>();
    for (const rule of doc.rules) {
      const remote = rule.remote_group_id
        ? targetOf(ctx, 'network.security-group', rule.remote_group_id)
        : null;
      const tuple = ruleTuple(rule, remote);
      wanted.add(tuple);
      const present = existing.get(tuple);
      if (present) {
        // Ours from a run that died before recording it, or the destination's own: only ours is recorded.
        if (merging && present.description?.includes(marker(ctx))) added.push(present.id);
        continue;
      }
      const description = merging
        ? `${rule.description ? `${rule.description} ` : ''}[${marker(ctx)}]`
        : rule.description;
      try {
        const created = await rules.create(
          ctx.session,
          defined<rules.CreateSecurityGroupRuleInput>({
            security_group_id: groupId,
            direction: rule.direction,
            ethertype: rule.ethertype,
            protocol: rule.protocol,
            port_range_min: rule.port_range_min,
            port_range_max: rule.port_range_max,
            remote_ip_prefix: rule.remote_ip_prefix,
            remote_group_id: remote,
            description,
          }),
          o,
        );
        if (merging) added.push(created.id);
      } catch (err) {
        if (!isConflict(err)) throw err; // 409: the same rule is there already
      }
    }
    if (!merging) {
      // A new group starts with the rules the destination's operator chose for new groups
      // (Neutron's default security group rules, configurable since 2023.2), which need not be
      // the source's: what the source group did not have goes, so the group is as it was.
      for (const [tuple, r] of existing) {
        if (wanted.has(tuple)) continue;
        await rules.remove(ctx.session, r.id, o).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      }
    }
    const extra = { group: groupId, merged: merging, addedRules: added };
    await record({ id: groupId, extra });
    return { id: groupId, extra };
  },
  async remove(ctx, entry) {
    // Rules of a created group go with it; in a merged default group only the ones we added.
    if (!entry.extra?.['merged']) return;
    for (const id of (entry.extra['addedRules'] as string[] | undefined) ?? []) {
      await rules.remove(ctx.session, id, opts(ctx)).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
  },
};
