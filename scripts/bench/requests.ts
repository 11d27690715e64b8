/**
 * HTTP request counts of a Downpour run, read from its `--debug` log: every attempt of every
 * request is logged once as `REQ <METHOD> <URL>` (retries included). A request is named by its
 * method, service and path with ids replaced, and the names of its query parameters, so
 * `GET network /v2.0/ports?device_id` counts every port lookup by device.
 */
import { readFileSync } from 'node:fs';
import { officialServiceType } from '../../src/openstack/session/catalog.js';

export interface RequestCounts {
  total: number;
  byKind: Record<string, number>;
}

const REQ = /^downpour debug: REQ (GET|HEAD|POST|PUT|PATCH|DELETE) (\S+)/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Service type by origin (`http://127.0.0.1:9696`), from a catalog. */
export type ServiceByOrigin = Map<string, string>;

export function serviceByOrigin(catalog: { type: string; endpoints: { url: string }[] }[]): ServiceByOrigin {
  const map: ServiceByOrigin = new Map();
  for (const entry of catalog)
    for (const e of entry.endpoints) map.set(new URL(e.url).origin, officialServiceType(entry.type));
  return map;
}

export function requestKind(method: string, url: string, services: ServiceByOrigin, prefix: string): string {
  const u = new URL(url);
  const path = u.pathname
    .split('/')
    .map((seg) => {
      const s = decodeURIComponent(seg);
      if (UUID.test(s)) return '{id}';
      if (s.startsWith(`${prefix}-`)) return '{name}';
      return seg;
    })
    .join('/');
  const params = [...new Set(u.searchParams.keys())].sort();
  return `${method} ${services.get(u.origin) ?? u.origin} ${path}${params.length ? `?${params.join('&')}` : ''}`;
}

export function countRequests(debugLog: string, services: ServiceByOrigin, prefix: string): RequestCounts {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const line of readFileSync(debugLog, 'utf8').split('\n')) {
    const m = REQ.exec(line);
    if (!m?.[1] || !m[2]) continue;
    total++;
    const kind = requestKind(m[1], m[2], services, prefix);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return { total, byKind };
}

export interface CountPoint {
  servers: number;
  /** Resources in the bundle's graph (created plus must-exist), from the export report. */
  resources: number;
  counts: RequestCounts;
}

export interface Growth {
  /** Extra requests per extra resource, between the two smaller and the two larger workloads. */
  slopeSmall: number;
  slopeLarge: number;
  /** slopeLarge / slopeSmall: about 1 when growth is linear, well above it when it is not. */
  ratio: number | undefined;
  /** Request kinds whose count grows faster than the resources do. */
  superlinear: { kind: string; counts: number[] }[];
  /** The same ratio without the superlinear kinds: what the rest of the requests do. */
  ratioWithoutThem: number | undefined;
}

/** The allowance for polling and retries before growth counts as faster than linear. */
export const LINEAR_TOLERANCE = 1.25;

function slopes(points: readonly CountPoint[], value: (p: CountPoint) => number): [number, number] {
  const [a, b, c] = points as [CountPoint, CountPoint, CountPoint];
  return [
    (value(b) - value(a)) / Math.max(1, b.resources - a.resources),
    (value(c) - value(b)) / Math.max(1, c.resources - b.resources),
  ];
}

/** Needs three workloads, smallest first. */
export function growth(points: readonly CountPoint[]): Growth | undefined {
  if (points.length < 3) return undefined;
  const [slopeSmall, slopeLarge] = slopes(points, (p) => p.counts.total);
  const kinds = new Set(points.flatMap((p) => Object.keys(p.counts.byKind)));
  const superlinear: Growth['superlinear'] = [];
  for (const kind of kinds) {
    const [s1, s2] = slopes(points, (p) => p.counts.byKind[kind] ?? 0);
    // Half a request per resource of slack keeps a constant one-off call from counting.
    if (s2 > s1 * LINEAR_TOLERANCE + 0.5)
      superlinear.push({ kind, counts: points.map((p) => p.counts.byKind[kind] ?? 0) });
  }
  const flagged = new Set(superlinear.map((k) => k.kind));
  const [r1, r2] = slopes(points, (p) =>
    Object.entries(p.counts.byKind).reduce((sum, [kind, n]) => sum + (flagged.has(kind) ? 0 : n), 0),
  );
  return {
    slopeSmall,
    slopeLarge,
    ratio: slopeSmall > 0 ? slopeLarge / slopeSmall : undefined,
    superlinear,
    ratioWithoutThem: r1 > 0 ? r2 / r1 : undefined,
  };
}

/** The most frequent request kinds of the largest workload, with their counts at every size. */
export function topKinds(points: readonly CountPoint[], limit = 12): { kind: string; counts: number[] }[] {
  const last = points[points.length - 1];
  if (!last) return [];
  return Object.entries(last.counts.byKind)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([kind]) => ({ kind, counts: points.map((p) => p.counts.byKind[kind] ?? 0) }));
}

/** GETs of image data (`/v2/images/{id}/file`): what a re-export must not repeat. */
export function imageDataGets(counts: RequestCounts): number {
  return Object.entries(counts.byKind)
    .filter(([kind]) => /^GET image .*\/images\/\{id\}\/file$/.test(kind))
    .reduce((sum, [, n]) => sum + n, 0);
}
