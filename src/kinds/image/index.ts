import { defineKind } from '../kind.js';
import { imageApply } from './apply.js';
import { imageDocument } from './document.js';
import { imageExport } from './export.js';

export const image = defineKind({
  type: 'image.image',
  noun: ['image', 'images'],
  renderRank: 9,
  symbol: 'image',
  removalRank: 10,
  document: imageDocument,
  export: imageExport,
  apply: imageApply,
});
