/**
 * network.port: a Neutron port with its fixed IPs, MAC address, allowed address pairs, security
 * groups and port security.
 *
 * - document.ts: what the bundle stores (references by source id).
 * - export.ts: read from the source. Depends on its network, and on its subnets and its security
 *   groups (and their rules) when it keeps its addresses; on a network the project does not own
 *   (which must pre-exist at the destination and is mapped), the destination picks the address.
 *   Its floating IPs move with it.
 * - apply.ts: find by provenance tags (or by name after a killed run), create, tag, remove.
 * - source.ts: the project's ports at the source, listed once per export.
 *
 * Renderers: the `network.port` entry beside each format's port block (render/heat/network.ts,
 * render/terraform/network.ts, render/ansible/network.ts).
 */
import { defineKind } from '../kind.js';
import { portApply } from './apply.js';
import { portDocument } from './document.js';
import { portExport } from './export.js';

export const port = defineKind({
  type: 'network.port',
  noun: ['port', 'ports'],
  renderRank: 8,
  symbol: 'port',
  removalRank: 5,
  quota: { service: 'network', resource: 'port' },
  document: portDocument,
  export: portExport,
  apply: portApply,
});
