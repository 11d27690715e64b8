import { defineKind } from '../kind.js';
import { containerApply } from './apply.js';
import { containerDocument } from './document.js';
import { containerExport } from './export.js';

/**
 * A Swift container with its objects: metadata, ACLs (mapped), versioning, storage policy
 * (mapped), and every object with its bytes, headers and large-object manifests.
 */
export const container = defineKind({
  type: 'object-store.container',
  noun: ['container', 'containers'],
  renderRank: 13,
  symbol: 'container',
  removalRank: 13,
  document: containerDocument,
  export: containerExport,
  apply: containerApply,
});
