import { pick, type KindExport } from '../kind.js';
import type { KeypairDocument } from './document.js';
import { keypairList } from './source.js';

/** Keypairs have no id: the name is the source id. Only the user's own keys are readable. */
export const keypairExport: KindExport<KeypairDocument> = {
  kind: 'compute.keypair',
  async describe(ctx, name) {
    const key = (await ctx.cache.all(keypairList)).get(name);
    if (!key) {
      ctx.note({
        severity: 'warning',
        code: 'KEYPAIR_NOT_READABLE',
        key: `compute.keypair:${name}`,
        message: `keypair "${name}" belongs to another user (keypairs are per user): it is not exported; servers that used it keep their disks' authorized_keys, and at the destination boot without a key unless you map one`,
      });
      return undefined;
    }
    return {
      name,
      disposition: 'create',
      document: pick(key, ['name', 'type', 'public_key', 'fingerprint']),
      dependsOn: [],
    };
  },
};
