import { defineKind } from '../kind.js';
import { serverApply } from './apply.js';
import { serverDocument } from './document.js';
import { serverExport } from './export.js';

export const server = defineKind({
  type: 'compute.server',
  document: serverDocument,
  export: serverExport,
  apply: serverApply,
});
