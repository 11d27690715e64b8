import type { KindApply } from './apply/context.js';
import type { DocumentOf } from './document.js';
import { flavorDocument } from './flavor.js';
import { floatingIp } from './floating-ip/index.js';
import { container } from './container/index.js';
import { image } from './image/index.js';
import { keypair } from './keypair/index.js';
import { defineKind, type KindExport, type RegisteredKind } from './kind.js';
import type { KindName } from './model.js';
import { network } from './network/index.js';
import { port } from './port/index.js';
import { router } from './router/index.js';
import { securityGroup, securityGroupRules } from './security-group/index.js';
import { serverGroup } from './server-group/index.js';
import { snapshot } from './snapshot/index.js';
import { server } from './server/index.js';
import { subnet } from './subnet/index.js';
import { volumeTypeDocument } from './volume-type.js';
import { volume } from './volume/index.js';

/**
 * Every kind Downpour knows, by type: the one list a new kind is added to. The bundle reader
 * checks each document against its kind's schema; export reads the kinds that have an export
 * side, import creates those with an apply side. Flavors and volume types are the operator's:
 * only ever mapped, described inline by the servers and volumes that use them.
 */
export const KINDS = {
  'compute.flavor': defineKind({
    type: 'compute.flavor',
    noun: ['flavor', 'flavors'],
    renderRank: 0,
    symbol: 'flavor',
    document: flavorDocument,
  }),
  'compute.keypair': keypair,
  'compute.server-group': serverGroup,
  'compute.server': server,
  'network.network': network,
  'network.subnet': subnet,
  'network.router': router,
  'network.port': port,
  'network.security-group': securityGroup,
  'network.security-group-rules': securityGroupRules,
  'network.floating-ip': floatingIp,
  'image.image': image,
  'block-storage.volume-type': defineKind({
    type: 'block-storage.volume-type',
    noun: ['volume type', 'volume types'],
    renderRank: 0,
    symbol: 'volume_type',
    document: volumeTypeDocument,
  }),
  'block-storage.volume': volume,
  'block-storage.snapshot': snapshot,
  'object-store.container': container,
} as const satisfies Record<KindName, RegisteredKind>;

function sides<T>(side: (k: RegisteredKind) => T | undefined): Partial<Record<KindName, T>> {
  const out: Partial<Record<KindName, T>> = {};
  for (const kind of Object.values<RegisteredKind>(KINDS)) {
    const s = side(kind);
    if (s) out[kind.type] = s;
  }
  return out;
}

/** The bundle document of a kind, as its schema types it. */
export type KindDocument<K extends KindName> = DocumentOf<(typeof KINDS)[K]['document']>;

/** Every kind that can be read from a source by id. */
export const EXPORTS: Partial<Record<KindName, KindExport>> = sides((k) => k.export);

/** Every kind that import can create. */
export const APPLIES: Partial<Record<KindName, KindApply>> = sides((k) => k.apply);

/** A kind by type, with its facts (noun, render rank, symbol, removal rank, quota). */
export function kindOf(type: KindName): RegisteredKind {
  return KINDS[type];
}

/** Every kind import can create, dependents first: the order destroy removes them in. */
export const REMOVAL_ORDER: readonly KindName[] = Object.values<RegisteredKind>(KINDS)
  .filter((k) => k.removalRank !== undefined)
  .sort((a, b) => (a.removalRank ?? 0) - (b.removalRank ?? 0))
  .map((k) => k.type);
