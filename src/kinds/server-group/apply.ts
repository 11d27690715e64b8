import * as serverGroups from '../../openstack/compute/server-groups/index.js';
import { orUndefined } from '../../openstack/common.js';
import { intent, opts, type KindApply } from '../apply/context.js';
import type { ServerGroupDocument } from './document.js';

/**
 * Server groups have neither tags nor metadata. Only when a run died right after asking for one
 * (an intent in the journal) is an empty group with the same name and policy taken as ours.
 */
export const serverGroupApply: KindApply<ServerGroupDocument> = {
  kind: 'compute.server-group',
  async find(ctx, _node, doc, entry) {
    if (!intent(entry)) return undefined;
    const candidates = [];
    for await (const g of serverGroups.list(ctx.session, opts(ctx))) {
      if (g.name === doc.name && serverGroups.policyOf(g) === doc.policy && g.members.length === 0)
        candidates.push(g);
    }
    return candidates.length === 1 && candidates[0] ? { id: candidates[0].id } : undefined;
  },
  async create(ctx, _node, doc, record, existing) {
    if (existing) return existing;
    const { rules, policy } = doc;
    if (!policy) throw new Error(`server group ${doc.name} has no policy in the bundle`);
    const group = await serverGroups.create(
      ctx.session,
      {
        name: doc.name,
        policy,
        ...(rules && Object.keys(rules).length ? { rules } : {}),
      },
      opts(ctx),
    );
    await record({ id: group.id });
    return { id: group.id };
  },
  async remove(ctx, entry) {
    if (entry.targetId)
      await orUndefined(() => serverGroups.remove(ctx.session, entry.targetId as string, opts(ctx)));
  },
};
