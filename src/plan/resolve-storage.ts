import type { GraphNode } from '../kinds/model.js';
import {
  addFinding,
  addOverrides,
  compareStrings,
  label,
  listSome,
  nodesOfKind,
  setPlanned,
  str,
  type PlanContext,
} from './context.js';
import { lookupMapping } from './mapping-file.js';
import { referencedKey } from './resolve-compute.js';
import type { DestinationFacts } from './types.js';

type Image = DestinationFacts['images'][number];
type VolumeType = DestinationFacts['volumeTypes'][number];

const CINDER_PLACEHOLDER_TYPE = '__DEFAULT__';

/** Volume types: map.yaml, else the source's placeholder default to the destination's default, else the same name, else the destination's default type (a warning), else an error. */
export function resolveVolumeTypes(ctx: PlanContext): void {
  const types = [...ctx.facts.volumeTypes].sort(
    (a, b) => compareStrings(a.name, b.name) || compareStrings(a.id, b.id),
  );
  const names = () =>
    listSome(
      types.map((t) => `${t.name}${t.is_default ? ' (default)' : ''}`),
      20,
    );
  for (const node of nodesOfKind(ctx, 'block-storage.volume-type')) {
    if (node.disposition !== 'existing') continue;
    const sourceName = str(node.identity?.['name']) ?? node.name ?? node.sourceId;
    const map = (t: VolumeType, reason: string) =>
      setPlanned(ctx, node, { action: 'map', target: { id: t.id, name: t.name }, uploadBytes: 0, reason });
    const fail = (code: string, message: string) => {
      setPlanned(ctx, node, { action: 'map', uploadBytes: 0 });
      addFinding(ctx, { severity: 'error', code, key: node.key, message });
    };
    const mapped = lookupMapping(ctx.mapping.volumeTypes, sourceName, node.sourceId);
    if (mapped) {
      const t = types.find((x) => x.id === mapped.to) ?? types.find((x) => x.name === mapped.to);
      if (t) map(t, `map.yaml: ${mapped.from} -> ${mapped.to}`);
      else
        fail(
          'VOLUME_TYPE_MAPPING_UNKNOWN',
          `map.yaml maps volume type ${mapped.from} to "${mapped.to}", which the destination does not have; its types: ${names()}`,
        );
      continue;
    }
    const fallback = types.find((t) => t.is_default);
    // Cinder's own placeholder: volumes of a cloud whose operator chose no type get it. It means
    // "the default", so it goes to the destination's default, not to a placeholder of that name
    // which the destination's operator set aside for another type.
    if (sourceName === CINDER_PLACEHOLDER_TYPE && fallback) {
      map(fallback, `the default type (the source used Cinder's ${CINDER_PLACEHOLDER_TYPE})`);
      continue;
    }
    const same = types.find((t) => t.name === sourceName);
    if (same) {
      map(same, 'same name');
      continue;
    }
    if (fallback) {
      map(fallback, 'the default type');
      addFinding(ctx, {
        severity: 'warning',
        code: 'VOLUME_TYPE_DEFAULT',
        key: node.key,
        message: `volume type "${sourceName}" is not at the destination; its volumes get the default type "${fallback.name}" (performance and features may differ); map it in map.yaml (volumeTypes:) to choose`,
      });
      continue;
    }
    fail(
      'VOLUME_TYPE_UNRESOLVED',
      `volume type "${sourceName}" is not at the destination and it has no default type; map it in map.yaml (volumeTypes:); its types: ${names()}`,
    );
  }
}

interface DataHash {
  algorithm?: string | undefined;
  value?: string | undefined;
  checksum?: string | undefined;
  sha256?: string | undefined;
}

/** Same bytes: Glance's multihash with the same algorithm, our own SHA-256 if Glance used it, or the MD5 checksum. */
function sameData(image: Image, want: DataHash): boolean {
  const algo = image.os_hash_algo?.toLowerCase();
  const value = image.os_hash_value?.toLowerCase();
  if (
    want.algorithm &&
    want.value &&
    algo === want.algorithm.toLowerCase() &&
    value === want.value.toLowerCase()
  )
    return true;
  if (want.sha256 && algo === 'sha256' && value === want.sha256.toLowerCase()) return true;
  return !!want.checksum && image.checksum?.toLowerCase() === want.checksum.toLowerCase();
}

const VISIBILITY_ORDER = ['public', 'community', 'shared', 'private'];
const preferred =
  (sourceName: string | undefined) =>
  (a: Image, b: Image): number =>
    VISIBILITY_ORDER.indexOf(a.visibility) - VISIBILITY_ORDER.indexOf(b.visibility) ||
    Number(b.name === sourceName) - Number(a.name === sourceName) ||
    compareStrings(a.id, b.id);

const describeHash = (h: DataHash): string =>
  h.algorithm && h.value
    ? `${h.algorithm} ${h.value.slice(0, 12)}…`
    : h.checksum
      ? `md5 ${h.checksum}`
      : 'no recorded hash';

/**
 * Public (not owned) images must be at the destination: map.yaml, else the same bytes (hash),
 * else the same name (a warning: the bytes may differ), else an error.
 */
function resolveExistingImage(ctx: PlanContext, node: GraphNode, active: Image[]): void {
  const identity = node.identity ?? {};
  const sourceName = str(identity['name']) ?? node.name;
  const hash: DataHash = {
    algorithm: str(identity['os_hash_algo']),
    value: str(identity['os_hash_value']),
    checksum: str(identity['checksum']),
  };
  const map = (image: Image, reason: string) =>
    setPlanned(ctx, node, {
      action: 'map',
      target: { id: image.id, ...(image.name ? { name: image.name } : {}) },
      uploadBytes: 0,
      reason,
    });
  const fail = (code: string, message: string) => {
    setPlanned(ctx, node, { action: 'map', uploadBytes: 0 });
    addFinding(ctx, { severity: 'error', code, key: node.key, message });
  };
  const mapped = lookupMapping(ctx.mapping.images, sourceName, node.sourceId);
  if (mapped) {
    const image =
      active.find((i) => i.id === mapped.to) ??
      active.filter((i) => i.name === mapped.to).sort(preferred(mapped.to))[0];
    if (image) map(image, `map.yaml: ${mapped.from} -> ${mapped.to}`);
    else
      fail(
        'IMAGE_MAPPING_UNKNOWN',
        `map.yaml maps image ${mapped.from} to "${mapped.to}", which is not an active image the project sees at the destination`,
      );
    return;
  }
  const byHash = active.filter((i) => sameData(i, hash)).sort(preferred(sourceName));
  if (byHash[0]) {
    map(byHash[0], 'same data (hash)');
    return;
  }
  const byName = sourceName ? active.filter((i) => i.name === sourceName).sort(preferred(sourceName)) : [];
  if (byName[0]) {
    map(byName[0], 'same name');
    addFinding(ctx, {
      severity: 'warning',
      code: 'IMAGE_SAME_NAME_ONLY',
      key: node.key,
      message: `image ${label(node)} is matched at the destination by name only (${byName[0].id}${byName.length > 1 ? `, the first of ${byName.length}` : ''}): its bytes may differ from the source's (${describeHash(hash)})`,
    });
    return;
  }
  fail(
    'IMAGE_UNRESOLVED',
    `image ${label(node)} (${describeHash(hash)}) is not at the destination and is not in the bundle (it was not the project's): upload it or map it in map.yaml (images:)`,
  );
}

/**
 * Images: existing ones are mapped; created ones whose data the project already holds at the
 * destination (same hash, same disk format, active) are reused and not uploaded. An image that
 * an earlier run of this same bundle created is left to the import's own adoption, so that
 * `destroy` still removes it.
 */
export function resolveImages(ctx: PlanContext): void {
  const active = ctx.facts.images.filter((i) => i.status === 'active');
  const ownTag = `downpour:bundle=${ctx.bundleId}`;
  const owned = active
    .filter((i) => i.owner === ctx.facts.project.id && !(i.tags ?? []).includes(ownTag))
    .sort((a, b) => compareStrings(a.id, b.id));
  for (const node of nodesOfKind(ctx, 'image.image')) {
    if (node.disposition === 'existing') {
      resolveExistingImage(ctx, node, active);
      continue;
    }
    const info = node.dataInfo;
    if (!info) continue;
    const hash: DataHash = {
      algorithm: info.source_hash?.algorithm,
      value: info.source_hash?.value,
      sha256: info.sha256,
    };
    const same = owned.find(
      (i) =>
        sameData(i, hash) &&
        (i.disk_format === null || i.disk_format === info.disk_format) &&
        (i.size === null || i.size === info.size),
    );
    if (same) {
      setPlanned(ctx, node, {
        action: 'reuse',
        target: { id: same.id, ...(same.name ? { name: same.name } : {}) },
        uploadBytes: 0,
        reason: `the project already has these bytes (${describeHash(hash)})`,
      });
    }
  }
}

/** Volumes: the destination type's name (Cinder takes a name or an id; the name reads better in a plan). */
export function resolveVolumeOverrides(ctx: PlanContext): void {
  for (const node of nodesOfKind(ctx, 'block-storage.volume')) {
    if (ctx.planned.get(node.key)?.action !== 'create') continue;
    const typeName = ctx.doc(node.key)['volume_type'];
    if (typeof typeName !== 'string' || !typeName) continue;
    const typeKey = referencedKey(ctx, node, 'block-storage.volume-type', typeName);
    const target = typeKey ? ctx.planned.get(typeKey)?.target : undefined;
    if (target) addOverrides(ctx, node.key, { volume_type: target.name ?? target.id });
  }
}
