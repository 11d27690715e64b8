import { defineKind } from '../kind.js';
import { routerApply } from './apply.js';
import { routerDocument } from './document.js';
import { routerExport } from './export.js';

export const router = defineKind({
  type: 'network.router',
  noun: ['router', 'routers'],
  renderRank: 7,
  symbol: 'router',
  removalRank: 4,
  quota: { service: 'network', resource: 'router' },
  document: routerDocument,
  export: routerExport,
  apply: routerApply,
});
