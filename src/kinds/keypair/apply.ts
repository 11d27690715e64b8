import * as keypairs from '../../openstack/compute/keypairs/index.js';
import { orUndefined } from '../../openstack/common.js';
import { opts, type ApplyContext, type KindApply } from '../apply/context.js';
import type { GraphNode } from '../model.js';
import type { KeypairDocument } from './document.js';

/** The keypair's name at the destination: the plan renames it when another key there has the name. */
function nameAt(ctx: ApplyContext, node: GraphNode, doc: KeypairDocument): string {
  const renamed = ctx.plan.get(node.key)?.overrides?.['name'];
  return typeof renamed === 'string' ? renamed : doc.name;
}

/** Keypairs have no tags: a key with the same name and fingerprint is the one we made (or an identical one). */
export const keypairApply: KindApply<KeypairDocument> = {
  kind: 'compute.keypair',
  async find(ctx, node, doc) {
    const name = nameAt(ctx, node, doc);
    const key = await orUndefined(() => keypairs.get(ctx.session, name, opts(ctx)));
    return key && key.fingerprint === doc.fingerprint ? { id: key.name } : undefined;
  },
  async create(ctx, node, doc, record, existing) {
    if (existing) return existing;
    const key = await keypairs.create(
      ctx.session,
      { name: nameAt(ctx, node, doc), public_key: doc.public_key, ...(doc.type ? { type: doc.type } : {}) },
      opts(ctx),
    );
    await record({ id: key.name });
    return { id: key.name };
  },
  async remove(ctx, entry) {
    if (entry.targetId)
      await orUndefined(() => keypairs.remove(ctx.session, entry.targetId as string, opts(ctx)));
  },
};
