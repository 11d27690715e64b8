import { UnsupportedError } from '../../core/errors.js';
import type { Interface } from '../config/types.js';

/** Wire shape of a Keystone v3 catalog entry. */
export interface CatalogEntry {
  type: string;
  name?: string;
  id?: string;
  endpoints: {
    id?: string;
    interface: string;
    region?: string | null;
    region_id?: string | null;
    url: string;
  }[];
}

/**
 * Official service types and the older names clouds still register them under
 * (os-service-types). The first entry is the official type.
 */
export const SERVICE_ALIASES: Record<string, readonly string[]> = {
  'block-storage': ['block-storage', 'volumev3', 'volumev2', 'volume', 'block-store'],
  compute: ['compute'],
  network: ['network'],
  image: ['image'],
  identity: ['identity'],
  orchestration: ['orchestration'],
  placement: ['placement'],
  'object-store': ['object-store'],
  'load-balancer': ['load-balancer'],
  dns: ['dns'],
};

export function officialServiceType(type: string): string {
  for (const [official, aliases] of Object.entries(SERVICE_ALIASES))
    if (aliases.includes(type)) return official;
  return type;
}

/**
 * Pick the endpoint URL of a service: the exact type when present, else the first alias in
 * priority order; filtered by interface (v2-style `publicURL` accepted) and region.
 */
export function selectEndpoint(
  catalog: readonly CatalogEntry[],
  serviceType: string,
  iface: Interface,
  region: string | undefined,
): string | undefined {
  const official = officialServiceType(serviceType);
  const types = SERVICE_ALIASES[official] ?? [serviceType];
  for (const type of types) {
    for (const entry of catalog) {
      if (entry.type !== type) continue;
      const match = entry.endpoints.find(
        (e) =>
          e.interface.replace(/URL$/, '') === iface &&
          (region === undefined || e.region_id === region || e.region === region),
      );
      if (match) return match.url;
    }
  }
  return undefined;
}

export function requireEndpoint(
  catalog: readonly CatalogEntry[],
  serviceType: string,
  iface: Interface,
  region: string | undefined,
): string {
  const url = selectEndpoint(catalog, serviceType, iface, region);
  if (url) return url;
  const offered = catalog
    .map(
      (e) =>
        `${e.type} (${[...new Set(e.endpoints.map((x) => `${x.interface}${(x.region_id ?? x.region) ? `@${x.region_id ?? x.region}` : ''}`))].join(', ')})`,
    )
    .join('; ');
  throw new UnsupportedError(
    `the catalog has no ${iface} endpoint for service "${serviceType}"${region ? ` in region ${region}` : ''}`,
    { hint: `The catalog offers: ${offered || 'nothing'}. Check region_name and interface in clouds.yaml.` },
  );
}

/** Every region named in the catalog (for `downpour clouds`). */
export function catalogRegions(catalog: readonly CatalogEntry[]): string[] {
  const regions = new Set<string>();
  for (const entry of catalog)
    for (const e of entry.endpoints)
      if (e.region_id ?? e.region) regions.add((e.region_id ?? e.region) as string);
  return [...regions].sort();
}
