import { defineKind } from '../kind.js';
import { serverGroupApply } from './apply.js';
import { serverGroupDocument } from './document.js';
import { serverGroupExport } from './export.js';

export const serverGroup = defineKind({
  type: 'compute.server-group',
  document: serverGroupDocument,
  export: serverGroupExport,
  apply: serverGroupApply,
});
