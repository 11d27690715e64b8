import { defineKind } from '../kind.js';
import { snapshotApply } from './apply.js';
import { snapshotDocument } from './document.js';
import { snapshotExport } from './export.js';

/** A volume's snapshot: it moves with its volume, its data captured through a temporary volume. */
export const snapshot = defineKind({
  type: 'block-storage.snapshot',
  noun: ['volume snapshot', 'volume snapshots'],
  renderRank: 11,
  symbol: 'snapshot',
  removalRank: 5.5,
  quota: { service: 'block-storage', resource: 'snapshots' },
  document: snapshotDocument,
  export: snapshotExport,
  apply: snapshotApply,
});
