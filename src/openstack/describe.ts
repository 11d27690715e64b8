import { randomBytes } from 'node:crypto';
import { errorMessage } from '../core/errors.js';
import * as volumeLimits from './block-storage/limits/index.js';
import * as volumeQuotas from './block-storage/quotas/index.js';
import * as volumeTypes from './block-storage/types/index.js';
import { bufferBody } from './http/client.js';
import * as computeLimits from './compute/limits/index.js';
import * as computeQuotas from './compute/quotas/index.js';
import * as serverGroups from './compute/server-groups/index.js';
import * as keypairs from './compute/keypairs/index.js';
import * as images from './image/images/index.js';
import * as extensions from './network/extensions/index.js';
import * as networks from './network/networks/index.js';
import * as networkQuotas from './network/quotas/index.js';
import { catalogRegions } from './session/catalog.js';
import { listedVersions } from './session/discovery.js';
import type { Session } from './session/session.js';

export type CapabilityStatus = 'yes' | 'no' | 'unknown';

export interface Capability {
  name: string;
  status: CapabilityStatus;
  detail: string;
}

export interface ServiceDescription {
  type: string;
  endpoint: string | undefined;
  versions: string[];
  microversions: { min: string; max: string } | undefined;
  negotiated: string | undefined;
}

export interface QuotaLine {
  service: 'compute' | 'network' | 'block-storage';
  resource: string;
  limit: number;
  inUse: number | undefined;
}

export interface CloudDescription {
  cloud: string;
  authUrl: string;
  region: string | undefined;
  regions: string[];
  interface: string;
  configFile: string | undefined;
  project: { id: string; name: string };
  user: { name: string };
  roles: string[];
  services: ServiceDescription[];
  networkExtensions: string[];
  quotas: QuotaLine[];
  capabilities: Capability[];
  warnings: string[];
}

const SERVICES = [
  'identity',
  'compute',
  'network',
  'image',
  'block-storage',
  'orchestration',
  'placement',
  'object-store',
] as const;

export interface DescribeOptions {
  /** Probe image upload by creating and deleting a 1-byte private image (default true). */
  writeProbes?: boolean;
  signal?: AbortSignal;
}

/**
 * What a cloud offers this project, probed rather than assumed: the building block of the
 * preflight checks of `plan` and `import`.
 */
export async function describeCloud(
  session: Session,
  options: DescribeOptions = {},
): Promise<CloudDescription> {
  const warnings: string[] = [];
  const opts = options.signal ? { signal: options.signal } : {};
  const token = await session.token();
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      warnings.push(`${what}: ${errorMessage(err)}`);
      return undefined;
    }
  };

  // Discovery of each service is independent: ask them all at once.
  const services: ServiceDescription[] = await Promise.all(
    SERVICES.map(async (type): Promise<ServiceDescription> => {
      const endpoint = await session.endpoint(type).catch(() => undefined);
      if (!endpoint || type === 'object-store' || type === 'orchestration') {
        return { type, endpoint, versions: [], microversions: undefined, negotiated: undefined };
      }
      const info = await attempt(`version discovery of ${type}`, () =>
        session.versionInfo(type, options.signal),
      );
      return {
        type,
        endpoint,
        versions: info ? listedVersions(info.versions) : [],
        microversions: info?.microversions,
        negotiated: info?.negotiated,
      };
    }),
  );
  const present = new Set(services.filter((s) => s.endpoint).map((s) => s.type));

  const aliases = present.has('network')
    ? await attempt('Neutron extensions', () => extensions.aliases(session, opts))
    : undefined;
  const networkExtensions = aliases ? [...aliases].sort() : [];

  const quotas: QuotaLine[] = [];
  if (present.has('compute')) {
    const detail = await attempt('compute quotas', () =>
      computeQuotas.getDetail(session, session.project.id, opts),
    );
    if (detail) {
      for (const r of ['instances', 'cores', 'ram', 'key_pairs', 'server_groups'] as const) {
        const q = detail[r];
        if (q) quotas.push({ service: 'compute', resource: r, limit: q.limit, inUse: q.in_use });
      }
    } else {
      const limits = await attempt('compute limits', () => computeLimits.get(session, opts));
      const a = limits?.absolute;
      if (a) {
        quotas.push({
          service: 'compute',
          resource: 'instances',
          limit: a.maxTotalInstances ?? -1,
          inUse: a.totalInstancesUsed,
        });
        quotas.push({
          service: 'compute',
          resource: 'cores',
          limit: a.maxTotalCores ?? -1,
          inUse: a.totalCoresUsed,
        });
        quotas.push({
          service: 'compute',
          resource: 'ram',
          limit: a.maxTotalRAMSize ?? -1,
          inUse: a.totalRAMUsed,
        });
      }
    }
  }
  if (present.has('network')) {
    const detail = await attempt('network quotas', () =>
      networkQuotas.getDetail(session, session.project.id, opts),
    );
    for (const r of [
      'network',
      'subnet',
      'port',
      'router',
      'floatingip',
      'security_group',
      'security_group_rule',
    ]) {
      const q = detail?.[r];
      if (q) quotas.push({ service: 'network', resource: r, limit: q.limit, inUse: q.used });
    }
  }
  if (present.has('block-storage')) {
    const usage = await attempt('block storage quotas', () =>
      volumeQuotas.getUsage(session, session.project.id, opts),
    );
    if (usage) {
      for (const r of ['volumes', 'gigabytes', 'snapshots'] as const) {
        const q = usage[r];
        if (q) quotas.push({ service: 'block-storage', resource: r, limit: q.limit, inUse: q.in_use });
      }
    } else {
      const limits = await attempt('block storage limits', () => volumeLimits.get(session, opts));
      const a = limits?.absolute;
      if (a) {
        quotas.push({
          service: 'block-storage',
          resource: 'volumes',
          limit: a.maxTotalVolumes ?? -1,
          inUse: a.totalVolumesUsed,
        });
        quotas.push({
          service: 'block-storage',
          resource: 'gigabytes',
          limit: a.maxTotalVolumeGigabytes ?? -1,
          inUse: a.totalGigabytesUsed,
        });
      }
    }
  }

  const capabilities = await probeCapabilities(session, present, aliases, services, options, warnings);
  return {
    cloud: session.cloud.name,
    authUrl: session.cloud.auth.auth_url,
    region: session.cloud.regionName,
    regions: catalogRegions(token.catalog),
    interface: session.cloud.interface,
    configFile: session.cloud.source.cloudsFile,
    project: session.project,
    user: { name: token.user.name },
    roles: token.roles,
    services,
    networkExtensions,
    quotas,
    capabilities,
    warnings,
  };
}

async function probeCapabilities(
  session: Session,
  present: Set<string>,
  aliases: Set<string> | undefined,
  services: ServiceDescription[],
  options: DescribeOptions,
  warnings: string[],
): Promise<Capability[]> {
  const caps: Capability[] = [];
  const add = (name: string, status: CapabilityStatus, detail: string) => caps.push({ name, status, detail });
  const opts = options.signal ? { signal: options.signal } : {};
  const negotiated = (type: string) => services.find((s) => s.type === type)?.negotiated;
  const atLeast = (type: string, version: string) => session.supports(type, version).catch(() => false);

  for (const type of ['compute', 'network', 'image', 'block-storage'] as const) {
    add(
      `${type} API`,
      present.has(type) ? 'yes' : 'no',
      present.has(type)
        ? `endpoint ${services.find((s) => s.type === type)?.endpoint}`
        : 'not in the catalog: Downpour needs it',
    );
  }
  add(
    'orchestration (Heat)',
    present.has('orchestration') ? 'yes' : 'no',
    present.has('orchestration')
      ? 'rendered Heat templates can be applied here'
      : 'optional: only for applying rendered Heat templates',
  );

  if (present.has('image')) {
    // Download: read one byte of any image with data the project can see.
    let sample: images.Image | undefined;
    try {
      for await (const img of images.list(session, { status: 'active' }, opts)) {
        if ((img.size ?? 0) > 0) {
          sample = img;
          break;
        }
      }
    } catch (err) {
      warnings.push(`image list: ${errorMessage(err)}`);
    }
    if (sample) {
      try {
        const res = await images.download(session, sample.id, { range: { start: 0, end: 0 }, ...opts });
        res.data.resume();
        add('image download', 'yes', `read from image ${sample.name ?? sample.id} (HTTP ${res.status})`);
      } catch (err) {
        add('image download', 'no', errorMessage(err));
      }
    } else add('image download', 'unknown', 'no image with data is visible to test with');

    if (options.writeProbes !== false) {
      let probeId: string | undefined;
      try {
        const probe = await images.create(
          session,
          {
            name: `downpour-probe-${randomBytes(4).toString('hex')}`,
            disk_format: 'raw',
            container_format: 'bare',
            visibility: 'private',
            tags: ['downpour:probe'],
          },
          opts,
        );
        probeId = probe.id;
        await images.upload(session, probe.id, bufferBody(Buffer.from([0])), { size: 1, ...opts });
        add('image upload', 'yes', 'uploaded a 1-byte private image and deleted it');
      } catch (err) {
        add('image upload', 'no', errorMessage(err));
      } finally {
        if (probeId) {
          const id = probeId;
          await images
            .remove(session, id)
            .catch((err: unknown) =>
              warnings.push(`could not delete probe image ${id}: ${errorMessage(err)}`),
            );
        }
      }
    } else add('image upload', 'unknown', 'not probed (write probes disabled)');
    const info = await images.importInfo(session, opts).catch(() => undefined);
    const methods = info?.['import-methods']?.value ?? [];
    add(
      'image import API',
      methods.length ? 'yes' : 'no',
      methods.length ? `methods: ${methods.join(', ')}` : 'optional: Downpour uploads with PUT /file',
    );
  }

  if (present.has('compute')) {
    const tags = await atLeast('compute', '2.26');
    add(
      'server tags',
      tags ? 'yes' : 'no',
      `compute microversion ${negotiated('compute') ?? 'none'} (tags need 2.26, tags at create 2.52)`,
    );
    try {
      for await (const _ of serverGroups.list(session, opts)) break;
      add('server groups', 'yes', 'GET /os-server-groups answered');
    } catch (err) {
      add('server groups', 'no', errorMessage(err));
    }
    try {
      for await (const _ of keypairs.list(session, opts)) break;
      add('keypairs', 'yes', 'GET /os-keypairs answered');
    } catch (err) {
      add('keypairs', 'no', errorMessage(err));
    }
  }
  if (present.has('block-storage')) {
    add(
      'volume upload-to-image',
      'yes',
      'os-volume_upload_image is part of every Cinder v3 (interop volumes-v3-upload); policy is checked when it is used',
    );
    add(
      'snapshot of attached volume without force',
      (await atLeast('block-storage', '3.66')) ? 'yes' : 'no',
      `volume microversion ${negotiated('block-storage') ?? 'none'} (needs 3.66; older clouds get force=true)`,
    );
    try {
      const types: string[] = [];
      for await (const t of volumeTypes.list(session, opts)) types.push(t.name);
      add('volume types', types.length ? 'yes' : 'no', types.join(', ') || 'none visible');
    } catch (err) {
      add('volume types', 'unknown', errorMessage(err));
    }
  }
  if (present.has('network') && aliases) {
    const ext = (alias: string, name: string, why: string) =>
      add(name, aliases.has(alias) ? 'yes' : 'no', aliases.has(alias) ? `extension ${alias}` : why);
    ext('standard-attr-tag', 'port and network tags', 'provenance goes into descriptions instead');
    ext('router', 'routers', 'routers cannot be recreated');
    ext('extraroute', 'router static routes', 'static routes cannot be recreated');
    ext('port-security', 'port security', 'port_security_enabled is dropped');
    ext('allowed-address-pairs', 'allowed address pairs', 'allowed address pairs are dropped');
    try {
      let external = 0;
      for await (const n of networks.list(session, { 'router:external': true }, opts)) if (n) external++;
      add(
        'external networks',
        external ? 'yes' : 'no',
        `${external} visible${external ? '' : ': floating IPs and router gateways cannot be mapped'}`,
      );
    } catch (err) {
      add('external networks', 'unknown', errorMessage(err));
    }
  }
  return caps;
}
