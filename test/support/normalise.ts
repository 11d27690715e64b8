import { REQUEST_HEADERS, RESPONSE_HEADERS, type Exchange } from './fixture.js';

/**
 * Normalise recorded exchanges octokit/fixtures-style, so a recording can be committed and a
 * re-recording gives small diffs: ids become sequential fake UUIDs (stable within a file),
 * times become fixed, tokens, request ids and passwords are masked, and each service's
 * host:port becomes `http://<service>.cloud.test`.
 */
export interface NormaliseContext {
  /** Real origin ("http://127.0.0.1:8774") to service type ("compute"). */
  origins: Record<string, string>;
  /** Values to mask wherever they appear (passwords from clouds.yaml). */
  secrets: readonly string[];
  /** Other literal replacements (the run's random resource prefix to a fixed one). */
  replacements: Record<string, string>;
}

export const MASK = 'REDACTED';
export const FIXED_TIME = '2000-01-01T00:00:00';
/** Token expiry far in the future, so a replayed token never looks expired unless a test moves the clock. */
export const FIXED_EXPIRY = '2099-12-31T23:00:00';
export const ZERO_REQUEST_ID = 'req-00000000-0000-0000-0000-000000000000';

const SECRET_KEYS = new Set(['password', 'secret', 'application_credential_secret', 'passcode', 'adminPass']);
const TOKEN = /gAAAAA[A-Za-z0-9_-]{20,}={0,2}/g;
const REQUEST_ID = /req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ID = /(?<!req-)\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})\b/gi;
const TIME = /\b\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g;

/** Mask secret-valued JSON fields (password, secrets) at any depth. Ids and times are left alone. */
export function maskSecretFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecretFields);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.has(k) && typeof v === 'string' ? MASK : maskSecretFields(v);
    }
    return out;
  }
  return value;
}

/** Parse a wire body: JSON when it is JSON, else the text; empty is null. */
export function parseBody(text: string): unknown {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function pickHeaders(
  headers: Record<string, string | string[] | undefined>,
  keep: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of keep) {
    const v = lower[name];
    if (v === undefined) continue;
    out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

class Normaliser {
  private readonly ids = new Map<string, string>();
  private readonly counters = { main: 0, catalog: 0 };
  private readonly originPairs: [string, string][];

  constructor(private readonly ctx: NormaliseContext) {
    const pairs: [string, string][] = [];
    for (const [origin, service] of Object.entries(ctx.origins)) {
      const target = `http://${service}.cloud.test`;
      pairs.push([origin, target]);
      // The same service answering as localhost builds its links with that name.
      pairs.push([origin.replace('127.0.0.1', 'localhost'), target]);
    }
    // Longest first, so "http://h:80" never eats the start of "http://h:8004".
    this.originPairs = pairs.sort((a, b) => b[0].length - a[0].length);
  }

  /**
   * The catalog's endpoint and service ids are numbered in their own series (…-9000-…), so that
   * a cloud with one more endpoint does not renumber every resource in every fixture.
   */
  private fakeId(raw: string, series: 'main' | 'catalog'): string {
    const key = raw.toLowerCase().replace(/-/g, '');
    let hex = this.ids.get(key);
    if (hex === undefined) {
      const n = ++this.counters[series];
      hex = `0000000000004000${series === 'main' ? '8' : '9'}000${String(n).padStart(12, '0')}`;
      this.ids.set(key, hex);
    }
    // Keep the shape: Keystone's ids have no dashes, everyone else's do.
    return raw.includes('-')
      ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
      : hex;
  }

  text(s: string, key?: string, inCatalog = false): string {
    let out = s;
    for (const secret of this.ctx.secrets) if (secret) out = out.split(secret).join(MASK);
    for (const [from, to] of Object.entries(this.ctx.replacements)) out = out.split(from).join(to);
    // Origins are matched on a boundary so "http://h:8774" never rewrites "http://h:87740".
    for (const [from, to] of this.originPairs) {
      out = out.replace(new RegExp(`${escapeRegExp(from)}(?![0-9])`, 'g'), to);
    }
    out = out.replace(TOKEN, MASK);
    out = out.replace(REQUEST_ID, ZERO_REQUEST_ID);
    out = out.replace(ID, (id) => this.fakeId(id, inCatalog ? 'catalog' : 'main'));
    const fixed = key === 'expires_at' ? FIXED_EXPIRY : FIXED_TIME;
    out = out.replace(TIME, (_m, sep: string, frac: string | undefined, zone: string | undefined) => {
      const time = sep === 'T' ? fixed : fixed.replace('T', ' ');
      return `${time}${frac ? `.${'0'.repeat(frac.length - 1)}` : ''}${zone ?? ''}`;
    });
    return out;
  }

  value(v: unknown, key?: string, inCatalog = false): unknown {
    if (typeof v === 'string') return this.text(v, key, inCatalog);
    if (Array.isArray(v)) {
      // Keystone audit ids are random per token and mean nothing to a replay.
      if (key === 'audit_ids') return v.map(() => 'AAAAAAAAAAAAAAAAAAAAAA');
      return stableOrder(v, key).map((x) => this.value(x, undefined, inCatalog || key === 'catalog'));
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        out[k] = SECRET_KEYS.has(k) && typeof x === 'string' ? MASK : this.value(x, k, inCatalog);
      }
      return out;
    }
    return v;
  }

  headers(h: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) {
      out[k] = k === 'x-auth-token' || k === 'x-subject-token' ? MASK : this.text(v);
    }
    return out;
  }
}

/**
 * Keystone lists catalog entries, endpoints and roles in whatever order its database gives;
 * sorting them (before ids are numbered) keeps a re-recording of a rebuilt cloud a small diff.
 */
const ORDER_BY: Record<string, (x: Record<string, unknown>) => string> = {
  catalog: (x) => String(x['type']),
  endpoints: (x) => `${String(x['interface'])} ${String(x['region_id'] ?? x['region'])}`,
  roles: (x) => String(x['name']),
};

function stableOrder(list: unknown[], key: string | undefined): unknown[] {
  const by = key === undefined ? undefined : ORDER_BY[key];
  if (!by || !list.every((x) => x && typeof x === 'object')) return list;
  return [...(list as Record<string, unknown>[])].sort((a, b) => by(a).localeCompare(by(b)));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Normalise one scenario's exchanges; ids are numbered by first appearance in the file. */
export function normaliseExchanges(exchanges: readonly Exchange[], ctx: NormaliseContext): Exchange[] {
  const n = new Normaliser(ctx);
  return exchanges.map((e) => ({
    request: {
      method: e.request.method,
      url: n.text(e.request.url),
      headers: n.headers(pickHeaders(e.request.headers, REQUEST_HEADERS)),
      body: n.value(e.request.body),
    },
    response: {
      status: e.response.status,
      headers: n.headers(pickHeaders(e.response.headers, RESPONSE_HEADERS)),
      body: n.value(e.response.body),
    },
  }));
}
