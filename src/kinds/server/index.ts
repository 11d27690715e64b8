import { defineKind } from '../kind.js';
import { serverApply } from './apply.js';
import { serverDocument } from './document.js';
import { serverExport } from './export.js';

export const server = defineKind({
  type: 'compute.server',
  noun: ['server', 'servers'],
  renderRank: 11,
  symbol: 'server',
  removalRank: 2,
  quota: { service: 'compute', resource: 'instances' },
  document: serverDocument,
  export: serverExport,
  apply: serverApply,
});
