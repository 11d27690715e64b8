import { defineKind } from '../kind.js';
import { floatingIpApply } from './apply.js';
import { floatingIpDocument } from './document.js';
import { floatingIpExport } from './export.js';

export const floatingIp = defineKind({
  type: 'network.floating-ip',
  document: floatingIpDocument,
  export: floatingIpExport,
  apply: floatingIpApply,
});
