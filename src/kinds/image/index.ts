import { defineKind } from '../kind.js';
import { imageApply } from './apply.js';
import { imageDocument } from './document.js';
import { imageExport } from './export.js';

export const image = defineKind({
  type: 'image.image',
  document: imageDocument,
  export: imageExport,
  apply: imageApply,
});
