import { defineKind } from '../kind.js';
import { keypairApply } from './apply.js';
import { keypairDocument } from './document.js';
import { keypairExport } from './export.js';

export const keypair = defineKind({
  type: 'compute.keypair',
  noun: ['keypair', 'keypairs'],
  renderRank: 1,
  symbol: 'keypair',
  removalRank: 11,
  quota: { service: 'compute', resource: 'key_pairs' },
  document: keypairDocument,
  export: keypairExport,
  apply: keypairApply,
});
