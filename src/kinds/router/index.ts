import { defineKind } from '../kind.js';
import { routerApply } from './apply.js';
import { routerDocument } from './document.js';
import { routerExport } from './export.js';

export const router = defineKind({
  type: 'network.router',
  document: routerDocument,
  export: routerExport,
  apply: routerApply,
});
