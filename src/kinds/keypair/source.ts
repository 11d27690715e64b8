import * as keypairs from '../../openstack/compute/keypairs/index.js';
import type { SourceList } from '../source-cache.js';

/** The user's keypairs at the source, by name (keypairs have no id), listed once per export. */
export const keypairList: SourceList<keypairs.Keypair> = {
  kind: 'compute.keypair',
  list: (session, options) => keypairs.list(session, options),
  keyOf: (k) => k.name,
};
