import { defineKind } from '../kind.js';
import { networkApply } from './apply.js';
import { networkDocument } from './document.js';
import { networkExport } from './export.js';

export const network = defineKind({
  type: 'network.network',
  noun: ['network', 'networks'],
  renderRank: 5,
  symbol: 'network',
  removalRank: 8,
  quota: { service: 'network', resource: 'network' },
  document: networkDocument,
  export: networkExport,
  apply: networkApply,
});
