import { defineKind } from '../kind.js';
import { subnetApply } from './apply.js';
import { subnetDocument } from './document.js';
import { subnetExport } from './export.js';

export const subnet = defineKind({
  type: 'network.subnet',
  document: subnetDocument,
  export: subnetExport,
  apply: subnetApply,
});
