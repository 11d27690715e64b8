import type { GraphNode } from '../kinds/model.js';
import {
  addFinding,
  addOverrides,
  compareStrings,
  listSome,
  nodesOfKind,
  num,
  setPlanned,
  str,
  type PlanContext,
} from './context.js';
import { lookupMapping } from './mapping-file.js';
import type { DestinationFacts } from './types.js';

type Flavor = DestinationFacts['flavors'][number];

/** What a server needs of its flavor, from the flavor node's identity (Nova 2.47+ embeds it in the server). */
interface FlavorNeed {
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}

function flavorNeed(node: GraphNode): FlavorNeed | undefined {
  const id = node.identity ?? {};
  const vcpus = num(id['vcpus']);
  const ram = num(id['ram']);
  const disk = num(id['disk']);
  if (vcpus === undefined || ram === undefined || disk === undefined) return undefined;
  return { name: str(id['name']) ?? node.name ?? node.sourceId, vcpus, ram, disk };
}

/**
 * Disk 0 asks for "the size of the image": any flavor serves it. A destination flavor with disk 0
 * does not serve a sized need, since Nova refuses zero-disk flavors for image-backed servers
 * unless policy allows them (os_compute_api:servers:create:zero_disk_flavor, admin by default).
 */
const diskFits = (have: number, need: number): boolean => need === 0 || (have > 0 && have >= need);

export const flavorFits = (f: Flavor, need: FlavorNeed): boolean =>
  f.vcpus >= need.vcpus && f.ram >= need.ram && diskFits(f.disk, need.disk);

const bySize = (a: Flavor, b: Flavor): number =>
  a.vcpus - b.vcpus ||
  a.ram - b.ram ||
  a.disk - b.disk ||
  compareStrings(a.name, b.name) ||
  compareStrings(a.id, b.id);

const describeFlavor = (f: { name: string; vcpus: number; ram: number; disk: number }): string =>
  `${f.name} (${f.vcpus} vCPU, ${f.ram} MiB RAM, ${f.disk} GiB disk)`;

/** How far a flavor is from serving a need: the sum of each dimension's relative shortfall. */
function shortfall(f: Flavor, need: FlavorNeed): number {
  const short = (have: number, want: number) => (want > have ? (want - have) / Math.max(want, 1) : 0);
  return (
    short(f.vcpus, need.vcpus) +
    short(f.ram, need.ram) +
    (diskFits(f.disk, need.disk) ? 0 : short(f.disk || 0, need.disk))
  );
}

/** A destination flavor by id, else by name (the first by id when a name repeats). */
function findFlavor(flavors: readonly Flavor[], idOrName: string): Flavor | undefined {
  return (
    flavors.find((f) => f.id === idOrName) ??
    [...flavors].sort((a, b) => compareStrings(a.id, b.id)).find((f) => f.name === idOrName)
  );
}

/** Flavors: map.yaml, else the same name, else the smallest that fits, else an error naming the closest. */
export function resolveFlavors(ctx: PlanContext): void {
  const flavors = [...ctx.facts.flavors].sort(bySize);
  for (const node of nodesOfKind(ctx, 'compute.flavor')) {
    if (node.disposition !== 'existing') continue;
    const need = flavorNeed(node);
    const sourceName = need?.name ?? str(node.identity?.['name']) ?? node.name ?? node.sourceId;
    const map = (f: Flavor, reason: string) => {
      setPlanned(ctx, node, { action: 'map', target: { id: f.id, name: f.name }, uploadBytes: 0, reason });
      if (need && !flavorFits(f, need)) {
        addFinding(ctx, {
          severity: 'warning',
          code: 'FLAVOR_SMALLER',
          key: node.key,
          message: `flavor ${f.name} at the destination is smaller than source flavor ${describeFlavor(need)}: ${describeFlavor(f)}`,
        });
      }
    };
    const unresolved = (code: string, message: string) => {
      setPlanned(ctx, node, { action: 'map', uploadBytes: 0 });
      addFinding(ctx, { severity: 'error', code, key: node.key, message });
    };

    const mapped = lookupMapping(ctx.mapping.flavors, sourceName, node.sourceId);
    if (mapped) {
      const f = findFlavor(flavors, mapped.to);
      if (f) map(f, `map.yaml: ${mapped.from} -> ${mapped.to}`);
      else
        unresolved(
          'FLAVOR_MAPPING_UNKNOWN',
          `map.yaml maps flavor ${mapped.from} to "${mapped.to}", which the destination does not have; its flavors: ${listSome(
            flavors.map((x) => x.name),
            20,
          )}`,
        );
      continue;
    }
    const sameName = findFlavor(
      flavors.filter((f) => f.name === sourceName),
      sourceName,
    );
    if (sameName) {
      map(sameName, 'same name');
      continue;
    }
    if (!need) {
      unresolved(
        'FLAVOR_UNRESOLVED',
        `flavor ${sourceName} is not at the destination and the bundle does not record its size; map it in map.yaml (flavors:)`,
      );
      continue;
    }
    const fit = flavors.find((f) => flavorFits(f, need));
    if (fit) {
      map(fit, `smallest that fits ${need.vcpus} vCPU, ${need.ram} MiB, ${need.disk} GiB`);
      addFinding(ctx, {
        severity: 'info',
        code: 'FLAVOR_BY_SIZE',
        key: node.key,
        message: `flavor ${sourceName} is not at the destination; using ${describeFlavor(fit)}, the smallest that fits ${describeFlavor(need)}`,
      });
      continue;
    }
    const closest = [...flavors]
      .sort((a, b) => shortfall(a, need) - shortfall(b, need) || bySize(b, a))
      .slice(0, 3)
      .map(describeFlavor);
    unresolved(
      'FLAVOR_NO_FIT',
      `no destination flavor fits ${describeFlavor(need)}; closest: ${listSome(closest)}; map one in map.yaml (flavors:)`,
    );
  }
}

/** Keypairs: the same key under the same name is reused; a different key under the name needs a rename in map.yaml. */
export function resolveKeypairs(ctx: PlanContext): void {
  for (const node of nodesOfKind(ctx, 'compute.keypair')) {
    if (node.disposition !== 'create') continue;
    const doc = ctx.doc(node.key);
    const name = str(doc['name']) ?? node.sourceId;
    const fingerprint = str(doc['fingerprint']);
    const renamed = lookupMapping(ctx.mapping.keypairs, name, node.sourceId);
    const wanted = renamed?.to ?? name;
    const overrides = renamed ? { name: wanted } : undefined;
    const existing = ctx.facts.keypairs.find((k) => k.name === wanted);
    if (existing && fingerprint !== undefined && existing.fingerprint === fingerprint) {
      setPlanned(ctx, node, {
        action: 'reuse',
        target: { id: wanted, name: wanted },
        uploadBytes: 0,
        reason: 'same name and fingerprint',
        ...(overrides ? { overrides } : {}),
      });
      continue;
    }
    setPlanned(ctx, node, {
      action: 'create',
      uploadBytes: 0,
      ...(overrides ? { overrides, reason: `map.yaml: ${renamed?.from ?? name} -> ${wanted}` } : {}),
    });
    if (existing) {
      addFinding(ctx, {
        severity: 'error',
        code: 'KEYPAIR_NAME_TAKEN',
        key: node.key,
        message: renamed
          ? `keypair ${name} is renamed to "${wanted}" by map.yaml, but the destination user already has a different key (fingerprint ${existing.fingerprint}) under that name`
          : `the destination user already has a different keypair named "${name}" (fingerprint ${existing.fingerprint}, the bundle's is ${fingerprint ?? 'unknown'}); give it another name in map.yaml (keypairs: {${name}: NEW-NAME})`,
      });
    }
  }
}

type ZoneService = 'compute' | 'block-storage';

/**
 * Availability zones of servers and volumes: map.yaml (where "" lets the cloud choose), else the
 * same zone if the destination has it, else none (the cloud chooses, an info finding).
 * One finding per source zone, not per node: fifty servers in "az1" are one fact.
 */
export function resolveZones(ctx: PlanContext): void {
  const omitted = new Map<string, string[]>();
  const unknown = new Map<string, string[]>();
  const group = (map: Map<string, string[]>, service: ZoneService, zone: string, key: string) => {
    const id = `${service}\u0000${zone}`;
    map.set(id, [...(map.get(id) ?? []), key]);
  };
  const zonesOf = (service: ZoneService) =>
    service === 'compute' ? ctx.facts.computeZones : ctx.facts.volumeZones;

  const resolve = (node: GraphNode, service: ZoneService) => {
    const source = str(ctx.doc(node.key)['availability_zone']);
    let zone: string | null = null;
    if (source) {
      const zones = zonesOf(service);
      const mapped = lookupMapping(ctx.mapping.availabilityZones, source);
      if (mapped) {
        if (mapped.to === '' || zones.includes(mapped.to)) zone = mapped.to || null;
        else group(unknown, service, source, node.key);
      } else if (zones.includes(source)) zone = source;
      else group(omitted, service, source, node.key);
    }
    addOverrides(ctx, node.key, { availability_zone: zone });
  };
  for (const node of nodesOfKind(ctx, 'compute.server'))
    if (ctx.planned.get(node.key)?.action === 'create') resolve(node, 'compute');
  for (const node of nodesOfKind(ctx, 'block-storage.volume'))
    if (ctx.planned.get(node.key)?.action === 'create') resolve(node, 'block-storage');

  const what = (service: ZoneService, n: number) =>
    service === 'compute' ? `${n} server${n === 1 ? '' : 's'}` : `${n} volume${n === 1 ? '' : 's'}`;
  const zonesThere = (service: ZoneService) =>
    `${service} zones there: ${listSome([...zonesOf(service)].sort(compareStrings))}`;
  for (const [id, keys] of omitted) {
    const [service, zone] = id.split('\u0000') as [ZoneService, string];
    addFinding(ctx, {
      severity: 'info',
      code: 'AZ_OMITTED',
      ...(keys.length === 1 ? { key: keys[0] as string } : {}),
      message: `availability zone "${zone}" is not at the destination (${zonesThere(service)}): ${what(service, keys.length)} ${keys.length === 1 ? 'is' : 'are'} created where the cloud chooses; map it in map.yaml (availabilityZones:) to pick one`,
    });
  }
  for (const [id, keys] of unknown) {
    const [service, zone] = id.split('\u0000') as [ZoneService, string];
    const to = ctx.mapping.availabilityZones?.[zone] ?? '';
    addFinding(ctx, {
      severity: 'error',
      code: 'AZ_MAPPING_UNKNOWN',
      ...(keys.length === 1 ? { key: keys[0] as string } : {}),
      message: `map.yaml maps availability zone "${zone}" to "${to}", which the destination does not have (${zonesThere(service)}); ${what(service, keys.length)} ${keys.length === 1 ? 'uses' : 'use'} it`,
    });
  }
}

/** The key of the node a document field refers to, else the first dependency of that kind. */
export function referencedKey(
  ctx: PlanContext,
  node: GraphNode,
  kind: GraphNode['kind'],
  sourceId: unknown,
): string | undefined {
  if (typeof sourceId === 'string' && sourceId) {
    const key = `${kind}:${sourceId}`;
    if (ctx.byKey.has(key)) return key;
  }
  return node.dependsOn.find((k) => k.startsWith(`${kind}:`));
}

/** Servers: the destination flavor id and the keypair's destination name. */
export function resolveServerOverrides(ctx: PlanContext): void {
  for (const node of nodesOfKind(ctx, 'compute.server')) {
    if (ctx.planned.get(node.key)?.action !== 'create') continue;
    const doc = ctx.doc(node.key);
    const flavorKey = referencedKey(ctx, node, 'compute.flavor', doc['flavor']);
    const flavor = flavorKey ? ctx.planned.get(flavorKey)?.target : undefined;
    if (flavor) addOverrides(ctx, node.key, { flavor: flavor.id });
    const keyName = str(doc['key_name']);
    const keypair = keyName ? ctx.planned.get(`compute.keypair:${keyName}`) : undefined;
    if (keypair) {
      const name = str(keypair.overrides?.['name']) ?? keypair.target?.name ?? keyName;
      addOverrides(ctx, node.key, { key_name: name });
    }
  }
}

/** The destination flavor a planned server boots with, for quota sums. */
export function serverFlavor(ctx: PlanContext, serverKey: string): Flavor | undefined {
  const id = str(ctx.planned.get(serverKey)?.overrides?.['flavor']);
  return id === undefined ? undefined : ctx.facts.flavors.find((f) => f.id === id);
}
