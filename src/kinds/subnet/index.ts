import { defineKind } from '../kind.js';
import { subnetApply } from './apply.js';
import { subnetDocument } from './document.js';
import { subnetExport } from './export.js';

export const subnet = defineKind({
  type: 'network.subnet',
  noun: ['subnet', 'subnets'],
  renderRank: 6,
  symbol: 'subnet',
  removalRank: 7,
  quota: { service: 'network', resource: 'subnet' },
  document: subnetDocument,
  export: subnetExport,
  apply: subnetApply,
});
