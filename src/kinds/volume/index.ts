import { defineKind } from '../kind.js';
import { volumeApply } from './apply.js';
import { volumeDocument } from './document.js';
import { volumeExport } from './export.js';

export const volume = defineKind({
  type: 'block-storage.volume',
  noun: ['volume', 'volumes'],
  renderRank: 10,
  symbol: 'volume',
  removalRank: 6,
  quota: { service: 'block-storage', resource: 'volumes' },
  document: volumeDocument,
  export: volumeExport,
  apply: volumeApply,
});
