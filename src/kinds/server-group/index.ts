import { defineKind } from '../kind.js';
import { serverGroupApply } from './apply.js';
import { serverGroupDocument } from './document.js';
import { serverGroupExport } from './export.js';

export const serverGroup = defineKind({
  type: 'compute.server-group',
  noun: ['server group', 'server groups'],
  renderRank: 2,
  symbol: 'server_group',
  removalRank: 12,
  quota: { service: 'compute', resource: 'server_groups' },
  document: serverGroupDocument,
  export: serverGroupExport,
  apply: serverGroupApply,
});
