import { UnsupportedError } from '../core/errors.js';
import type { KindName } from '../kinds/model.js';
import * as volumeZones from '../openstack/block-storage/availability-zones/index.js';
import * as volumeLimits from '../openstack/block-storage/limits/index.js';
import * as volumeQuotas from '../openstack/block-storage/quotas/index.js';
import * as volumeTypes from '../openstack/block-storage/types/index.js';
import * as volumes from '../openstack/block-storage/volumes/index.js';
import type { QuotaUsage } from '../openstack/common.js';
import * as computeZones from '../openstack/compute/availability-zones/index.js';
import * as flavors from '../openstack/compute/flavors/index.js';
import * as keypairs from '../openstack/compute/keypairs/index.js';
import * as computeLimits from '../openstack/compute/limits/index.js';
import * as computeQuotas from '../openstack/compute/quotas/index.js';
import * as serverGroups from '../openstack/compute/server-groups/index.js';
import * as servers from '../openstack/compute/servers/index.js';
import { HttpError } from '../openstack/http/errors.js';
import * as images from '../openstack/image/images/index.js';
import * as extensions from '../openstack/network/extensions/index.js';
import * as networks from '../openstack/network/networks/index.js';
import * as networkQuotas from '../openstack/network/quotas/index.js';
import * as routers from '../openstack/network/routers/index.js';
import * as securityGroups from '../openstack/network/security-groups/index.js';
import type { Session } from '../openstack/session/session.js';
import * as swift from '../openstack/object-store/index.js';
import type { DestinationFacts, ObjectStoreFacts } from '../plan/types.js';

type Quota = DestinationFacts['quotas'][number];
type Services = DestinationFacts['services'];

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * The answer of a call that policy may refuse (403) or a cloud may lack (404), else undefined:
 * what the plan cannot know it reports as not checked, instead of failing the whole plan.
 */
async function optional<T>(session: Session, what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof HttpError && (err.status === 403 || err.status === 404)) {
      session.logger.debug(`${what} is not readable here (${err.status}): left out of the plan's facts`);
      return undefined;
    }
    throw err;
  }
}

async function hasService(session: Session, service: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await session.endpoint(service, signal);
    return true;
  } catch (err) {
    if (err instanceof UnsupportedError) return false;
    throw err;
  }
}

const sortedUnique = (names: readonly (string | null | undefined)[]): string[] =>
  [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))].sort();

/**
 * What the destination offers, as the plan needs it: one round of independent requests in
 * parallel, with the project's own credentials (nothing here needs admin). Quotas and other
 * things that policy may hide are left out when refused; the plan reports them as not checked.
 */
export async function gatherDestinationFacts(
  session: Session,
  signal?: AbortSignal,
  interest: { containers?: readonly string[] } = {},
): Promise<DestinationFacts> {
  const opts = signal ? { signal } : {};
  const projectId = session.project.id;
  const [compute, network, image, blockStorage, objectStore] = await Promise.all([
    hasService(session, 'compute', signal),
    hasService(session, 'network', signal),
    hasService(session, 'image', signal),
    hasService(session, 'block-storage', signal),
    hasService(session, 'object-store', signal),
  ]);
  const services: Services = { compute, network, image, 'block-storage': blockStorage };

  const [computeFacts, networkFacts, imageFacts, volumeFacts, objectFacts] = await Promise.all([
    compute ? gatherCompute(session, opts) : undefined,
    network ? gatherNetwork(session, projectId, opts) : undefined,
    image ? gatherImages(session, projectId, opts) : undefined,
    blockStorage ? gatherBlockStorage(session, opts) : undefined,
    objectStore ? gatherObjectStore(session, interest.containers ?? [], opts) : undefined,
  ]);

  const existingNames: Partial<Record<KindName, string[]>> = {
    ...(computeFacts?.names ?? {}),
    ...(networkFacts?.names ?? {}),
    ...(imageFacts?.names ?? {}),
    ...(volumeFacts?.names ?? {}),
  };
  return {
    cloud: session.cloud.name,
    authUrl: session.cloud.auth.auth_url,
    region: session.cloud.regionName,
    project: session.project,
    services,
    computeMicroversion: computeFacts?.microversion,
    volumeMicroversion: volumeFacts?.microversion,
    networkExtensions: networkFacts?.extensions ?? [],
    flavors: computeFacts?.flavors ?? [],
    foreignNetworks: networkFacts?.foreignNetworks ?? [],
    existingNames,
    defaultSecurityGroupId: networkFacts?.defaultSecurityGroupId,
    keypairs: computeFacts?.keypairs ?? [],
    volumeTypes: volumeFacts?.types ?? [],
    computeZones: computeFacts?.zones ?? [],
    volumeZones: volumeFacts?.zones ?? [],
    images: imageFacts?.images ?? [],
    diskFormats: imageFacts?.diskFormats ?? [],
    containerFormats: imageFacts?.containerFormats ?? [],
    quotas: [
      ...(computeFacts?.quotas ?? []),
      ...(networkFacts?.quotas ?? []),
      ...(volumeFacts?.quotas ?? []),
    ],
    ...(objectFacts ? { objectStore: objectFacts } : {}),
  };
}

/** Policies from `/info`, the account's quota and use, and which of `names` exist (and whose mark they carry). */
async function gatherObjectStore(
  session: Session,
  names: readonly string[],
  opts: Opts,
): Promise<ObjectStoreFacts> {
  const [info, account] = await Promise.all([
    optional(session, 'Swift /info', () => swift.info(session, opts)),
    swift.headAccount(session, opts),
  ]);
  const containers: ObjectStoreFacts['containers'] = [];
  for (const name of [...new Set(names)].sort()) {
    const h = await swift.headContainer(session, name, opts);
    if (h)
      containers.push({
        name,
        ...(h['x-container-meta-downpour-bundle'] ? { bundle: h['x-container-meta-downpour-bundle'] } : {}),
      });
  }
  const quota = Number(account['x-account-meta-quota-bytes']);
  return {
    policies: (info?.swift?.policies ?? []).map((p) => ({ name: p.name, default: p.default === true })),
    containers,
    ...(Number.isFinite(quota) && account['x-account-meta-quota-bytes'] !== undefined
      ? { quotaBytes: quota }
      : {}),
    bytesUsed: Number(account['x-account-bytes-used'] ?? 0),
  };
}

type Opts = { signal?: AbortSignal };

async function gatherCompute(session: Session, opts: Opts) {
  const [info, flavorList, keys, zones, serverList, groups, detail] = await Promise.all([
    session.versionInfo('compute', opts.signal),
    collect(flavors.list(session, {}, opts)),
    collect(keypairs.list(session, opts)),
    optional(session, 'compute availability zones', () => collect(computeZones.list(session, opts))),
    optional(session, 'servers', () => collect(servers.list(session, {}, opts))),
    optional(session, 'server groups', () => collect(serverGroups.list(session, opts))),
    optional(session, 'compute quota', () => computeQuotas.getDetail(session, undefined, opts)),
  ]);
  const quotas: Quota[] = [];
  const fromDetail = (resource: string, use?: number) => {
    const q = detail?.[resource] as QuotaUsage | undefined;
    if (q && typeof q === 'object' && typeof q.limit === 'number') {
      quotas.push({
        service: 'compute',
        resource,
        limit: q.limit,
        inUse: Math.max((q.in_use ?? 0) + (q.reserved ?? 0), use ?? 0),
      });
    }
  };
  if (detail) {
    for (const r of ['instances', 'cores', 'ram', 'server_groups', 'server_group_members']) fromDetail(r);
    // Keypairs are counted per user; the project's detail does not see this user's use.
    fromDetail('key_pairs', keys.length);
  } else {
    const limits = await optional(session, 'compute limits', () => computeLimits.get(session, opts));
    const a = limits?.absolute ?? {};
    const pairs: [string, number | undefined, number | undefined][] = [
      ['instances', a.maxTotalInstances, a.totalInstancesUsed],
      ['cores', a.maxTotalCores, a.totalCoresUsed],
      ['ram', a.maxTotalRAMSize, a.totalRAMUsed],
      ['server_groups', a.maxServerGroups, a.totalServerGroupsUsed],
      ['key_pairs', a.maxTotalKeypairs, keys.length],
      ['server_group_members', a.maxServerGroupMembers, 0],
    ];
    for (const [resource, limit, used] of pairs) {
      if (typeof limit === 'number' && (typeof used === 'number' || limit < 0))
        quotas.push({ service: 'compute', resource, limit, inUse: used ?? 0 });
    }
  }
  return {
    microversion: info.negotiated,
    flavors: flavorList
      .filter((f) => f['OS-FLV-DISABLED:disabled'] !== true)
      .map((f) => ({
        id: f.id,
        name: f.name,
        vcpus: f.vcpus,
        ram: f.ram,
        disk: f.disk,
        ephemeral: f['OS-FLV-EXT-DATA:ephemeral'] ?? 0,
        swap: typeof f.swap === 'number' ? f.swap : 0,
        is_public: f['os-flavor-access:is_public'] ?? true,
      })),
    keypairs: keys.map((k) => ({ name: k.name, fingerprint: k.fingerprint })),
    zones: sortedUnique((zones ?? []).filter((z) => z.zoneState.available).map((z) => z.zoneName)),
    quotas,
    names: {
      ...(serverList ? { 'compute.server': sortedUnique(serverList.map((s) => s.name)) } : {}),
      ...(groups ? { 'compute.server-group': sortedUnique(groups.map((g) => g.name)) } : {}),
    } as Partial<Record<KindName, string[]>>,
  };
}

async function gatherNetwork(session: Session, projectId: string, opts: Opts) {
  const [netList, groups, routerList, aliases, detail] = await Promise.all([
    collect(networks.list(session, {}, opts)),
    // Listing the project's groups is also what makes Neutron create its `default` group if missing.
    collect(securityGroups.list(session, { project_id: projectId }, opts)),
    optional(session, 'routers', () => collect(routers.list(session, { project_id: projectId }, opts))),
    optional(session, 'network extensions', () => extensions.aliases(session, opts)),
    optional(session, 'network quota', () => networkQuotas.getDetail(session, undefined, opts)),
  ]);
  const own = netList.filter((n) => n.project_id === projectId);
  const ownGroups = groups.filter((g) => g.project_id === projectId);
  // Without quota-details Neutron gives limits only; what the lists above already show is counted here.
  const counted: Record<string, number | undefined> = {
    network: own.length,
    subnet: own.reduce((sum, n) => sum + n.subnets.length, 0),
    security_group: ownGroups.length,
    security_group_rule: ownGroups.reduce((sum, g) => sum + (g.security_group_rules?.length ?? 0), 0),
    router: routerList?.length,
  };
  const quotas: Quota[] = [];
  for (const resource of [
    'network',
    'subnet',
    'port',
    'router',
    'floatingip',
    'security_group',
    'security_group_rule',
  ]) {
    const q = detail?.[resource];
    if (!q || typeof q.limit !== 'number') continue;
    const used = q.used === undefined ? (q.limit < 0 ? 0 : counted[resource]) : q.used + (q.reserved ?? 0);
    if (used !== undefined) quotas.push({ service: 'network', resource, limit: q.limit, inUse: used });
  }
  return {
    extensions: aliases ? [...aliases].sort() : [],
    foreignNetworks: netList
      .filter((n) => n.project_id !== projectId)
      .map((n) => ({
        id: n.id,
        name: n.name,
        external: n['router:external'] === true,
        shared: n.shared === true,
      })),
    defaultSecurityGroupId: ownGroups.find((g) => g.name === 'default')?.id,
    quotas,
    names: {
      'network.network': sortedUnique(own.map((n) => n.name)),
      'network.security-group': sortedUnique(ownGroups.map((g) => g.name)),
      ...(routerList ? { 'network.router': sortedUnique(routerList.map((r) => r.name)) } : {}),
    } as Partial<Record<KindName, string[]>>,
  };
}

async function gatherImages(session: Session, projectId: string, opts: Opts) {
  const [imageList, schema] = await Promise.all([
    collect(images.list(session, {}, opts)),
    optional(session, 'image schema', () => images.getSchema(session, opts)),
  ]);
  return {
    images: imageList
      .filter((i) => i.status === 'active')
      .map((i) => ({
        id: i.id,
        name: i.name,
        owner: i.owner,
        visibility: i.visibility,
        status: i.status,
        size: i.size,
        os_hash_algo: i.os_hash_algo ?? null,
        os_hash_value: i.os_hash_value ?? null,
        checksum: i.checksum,
        disk_format: i.disk_format,
        tags: [...(i.tags ?? [])].sort(),
      })),
    diskFormats: schema ? images.schemaEnum(schema, 'disk_format').sort() : [],
    containerFormats: schema ? images.schemaEnum(schema, 'container_format').sort() : [],
    names: {
      'image.image': sortedUnique(imageList.filter((i) => i.owner === projectId).map((i) => i.name)),
    } as Partial<Record<KindName, string[]>>,
  };
}

async function gatherBlockStorage(session: Session, opts: Opts) {
  const [info, typeList, defaultType, zones, volumeList, usage] = await Promise.all([
    session.versionInfo('block-storage', opts.signal),
    collect(volumeTypes.list(session, opts)),
    optional(session, 'default volume type', () => volumeTypes.getDefault(session, opts)),
    optional(session, 'volume availability zones', () => collect(volumeZones.list(session, opts))),
    optional(session, 'volumes', () => collect(volumes.list(session, {}, opts))),
    optional(session, 'block-storage quota', () => volumeQuotas.getUsage(session, undefined, opts)),
  ]);
  const quotas: Quota[] = [];
  if (usage) {
    for (const [resource, q] of Object.entries(usage)) {
      // Totals and per-type entries (volumes_<type>, gigabytes_<type>); snapshots and backups are not the import's.
      if (!/^(volumes|gigabytes)(_.+)?$/.test(resource) || !q || typeof q !== 'object') continue;
      quotas.push({
        service: 'block-storage',
        resource,
        limit: q.limit,
        inUse: (q.in_use ?? 0) + (q.reserved ?? 0),
      });
    }
  } else {
    const limits = await optional(session, 'block-storage limits', () => volumeLimits.get(session, opts));
    const a = limits?.absolute ?? {};
    if (typeof a.maxTotalVolumes === 'number' && typeof a.totalVolumesUsed === 'number')
      quotas.push({
        service: 'block-storage',
        resource: 'volumes',
        limit: a.maxTotalVolumes,
        inUse: a.totalVolumesUsed,
      });
    if (typeof a.maxTotalVolumeGigabytes === 'number' && typeof a.totalGigabytesUsed === 'number')
      quotas.push({
        service: 'block-storage',
        resource: 'gigabytes',
        limit: a.maxTotalVolumeGigabytes,
        inUse: a.totalGigabytesUsed,
      });
  }
  return {
    microversion: info.negotiated,
    types: typeList.map((t) => ({ id: t.id, name: t.name, is_default: t.id === defaultType?.id })),
    zones: sortedUnique((zones ?? []).filter((z) => z.zoneState.available).map((z) => z.zoneName)),
    quotas,
    names: volumeList
      ? ({ 'block-storage.volume': sortedUnique(volumeList.map((v) => v.name)) } as Partial<
          Record<KindName, string[]>
        >)
      : {},
  };
}
