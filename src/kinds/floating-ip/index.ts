import { defineKind } from '../kind.js';
import { floatingIpApply } from './apply.js';
import { floatingIpDocument } from './document.js';
import { floatingIpExport } from './export.js';

export const floatingIp = defineKind({
  type: 'network.floating-ip',
  noun: ['floating IP', 'floating IPs'],
  renderRank: 12,
  symbol: 'floating_ip',
  removalRank: 1,
  quota: { service: 'network', resource: 'floatingip' },
  document: floatingIpDocument,
  export: floatingIpExport,
  apply: floatingIpApply,
});
