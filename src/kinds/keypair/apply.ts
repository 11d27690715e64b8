import * as keypairs from '../../openstack/compute/keypairs/index.js';
import { orUndefined } from '../../openstack/common.js';
import { opts, type KindApply } from '../apply/context.js';

/** Keypairs have no tags: a key with the same name and fingerprint is the one we made (or an identical one). */
export const keypairApply: KindApply = {
  kind: 'compute.keypair',
  async find(ctx, node, doc) {
    const name =
      (ctx.plan.get(node.key)?.overrides?.['name'] as string | undefined) ?? (doc['name'] as string);
    const key = await orUndefined(() => keypairs.get(ctx.session, name, opts(ctx)));
    return key && key.fingerprint === doc['fingerprint'] ? { id: key.name } : undefined;
  },
  async create(ctx, node, doc, record, existing) {
    if (existing) return existing;
    const name =
      (ctx.plan.get(node.key)?.overrides?.['name'] as string | undefined) ?? (doc['name'] as string);
    const key = await keypairs.create(
      ctx.session,
      {
        name,
        public_key: doc['public_key'] as string,
        ...(doc['type'] ? { type: doc['type'] as 'ssh' | 'x509' } : {}),
      },
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
