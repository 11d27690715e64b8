import type { VersionRange } from './microversion.js';

/** One entry of a version document, as Nova, Cinder, Glance, Neutron and Keystone publish them. */
export interface VersionEntry {
  id: string;
  status?: string;
  version?: string;
  max_version?: string;
  min_version?: string;
  links?: { rel?: string; href?: string }[];
}

/** Accept every shape keystoneauth accepts: {versions:{values:[]}}, {versions:[]}, {version:{}}. */
export function versionEntries(doc: unknown): VersionEntry[] {
  if (!doc || typeof doc !== 'object') return [];
  const d = doc as Record<string, unknown>;
  const versions = d['versions'];
  if (Array.isArray(versions)) return versions as VersionEntry[];
  if (versions && typeof versions === 'object') {
    const values = (versions as Record<string, unknown>)['values'];
    if (Array.isArray(values)) return values as VersionEntry[];
  }
  const version = d['version'];
  if (version && typeof version === 'object') return [version as VersionEntry];
  return [];
}

/** The microversion range of the entry matching the endpoint's major version (or the CURRENT one). */
export function microversionRange(
  entries: VersionEntry[],
  major: string | undefined,
): VersionRange | undefined {
  const wanted = major?.replace(/^v/, '');
  const pick =
    entries.find(
      (e) =>
        wanted !== undefined &&
        e.id.replace(/^v/, '').split('.')[0] === wanted.split('.')[0] &&
        (e.max_version || e.version),
    ) ?? entries.find((e) => /current/i.test(e.status ?? '') && (e.max_version || e.version));
  if (!pick) return undefined;
  const max = pick.max_version || pick.version;
  if (!max) return undefined;
  return { min: pick.min_version || max, max };
}

/** "v2.1" from "http://host:8774/v2.1/abc", "v3" from ".../v3/{project}", undefined for a root. */
export function majorVersionOf(url: string): string | undefined {
  const m = /\/(v\d+(?:\.\d+)?)(?:\/|$)/.exec(new URL(url).pathname);
  return m?.[1];
}

/** The service root (version document) for a versioned endpoint URL. */
export function rootOf(url: string): string {
  const u = new URL(url);
  const idx = u.pathname.search(/\/v\d+(?:\.\d+)?(?:\/|$)/);
  u.pathname = idx >= 0 ? u.pathname.slice(0, idx) + '/' : u.pathname;
  u.search = '';
  return u.toString();
}

/** Every version id listed (for `downpour clouds`). */
export function listedVersions(entries: VersionEntry[]): string[] {
  return entries.map((e) => `${e.id}${e.status ? ` (${e.status})` : ''}`);
}
