import { DownpourError, ExitCode, ResourceFailedError, UnsupportedError } from '../core/errors.js';
import type { Observation } from '../core/wait.js';
import type { HttpResponse } from './http/client.js';
import { HttpError } from './http/errors.js';
import type { Session } from './session/session.js';

/** The service types the resource modules hand to Session (official names, never aliases). */
export type ServiceType = 'identity' | 'compute' | 'network' | 'image' | 'block-storage' | 'orchestration';

/** A document as the API returned it; the resource types are typed views over it. */
export type WireDocument = Record<string, unknown>;

export interface RequestOptions {
  signal?: AbortSignal;
}

/** `{ signal }` when there is one: exactOptionalPropertyTypes refuses `signal: undefined`. */
export function withSignal(options: RequestOptions | undefined): { signal?: AbortSignal } {
  return options?.signal ? { signal: options.signal } : {};
}

/** The object under `key` in a single-resource envelope (`{"port": {...}}`), or a typed error naming the call. */
export function envelope<T>(res: HttpResponse<unknown>, key: string, what: string): T {
  const body = res.data;
  const value =
    body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  if (value === undefined || value === null || typeof value !== 'object') {
    throw new DownpourError(
      'E_HTTP_BAD_BODY',
      ExitCode.unexpected,
      `${what}: the response has no "${key}" object${res.requestId ? ` [${res.requestId}]` : ''}`,
    );
  }
  return value as T;
}

/** A whole-body document (Glance answers without an envelope), checked to be an object. */
export function bodyObject<T>(res: HttpResponse<unknown>, what: string): T {
  if (res.data === null || typeof res.data !== 'object' || Array.isArray(res.data)) {
    throw new DownpourError('E_HTTP_BAD_BODY', ExitCode.unexpected, `${what}: the response is not an object`);
  }
  return res.data as T;
}

/**
 * The result of `call`, or undefined when the service answers with one of `statuses`
 * (404 by default): "is it there?" is a normal question for adoption and waiters, not an error.
 */
export async function orUndefined<T>(
  call: () => Promise<T>,
  statuses: readonly number[] = [404],
): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof HttpError && statuses.includes(err.status)) return undefined;
    throw err;
  }
}

export type Query = Record<string, string | string[] | number | boolean | undefined>;

/**
 * Filters as query parameters. Nova and Neutron take tag filters as one comma-separated value
 * (`tags=a,b`), so the keys in `commaJoined` are joined; other arrays repeat the parameter.
 */
export function toQuery(
  filters: object,
  commaJoined: readonly string[] = ['tags', 'tags-any', 'not-tags', 'not-tags-any'],
): Query {
  const query: Query = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      const items = value.map(String);
      query[key] = commaJoined.includes(key) ? items.join(',') : items;
    } else if (typeof value === 'object') {
      // Cinder parses dict filters (metadata) with a literal parser that reads JSON objects of strings.
      query[key] = JSON.stringify(value);
    } else {
      query[key] = value as string | number | boolean;
    }
  }
  return query;
}

export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** RFC 6901 pointer to a top-level member: Glance property names may hold "/" and "~". */
export function jsonPointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * The JSON patch that turns `current` into `current` overlaid with `changes`: `replace` for
 * members that exist, `add` for new ones, `remove` where the change is `undefined`
 * (Glance refuses `replace` of a missing member and `remove` of an absent one).
 */
export function patchFor(current: WireDocument, changes: Record<string, unknown>): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  for (const [key, value] of Object.entries(changes)) {
    const path = jsonPointer(key);
    const present = Object.prototype.hasOwnProperty.call(current, key);
    if (value === undefined) {
      if (present) ops.push({ op: 'remove', path });
    } else ops.push({ op: present ? 'replace' : 'add', path, value });
  }
  return ops;
}

/**
 * Observe a resource for `waitForStatus`: a vanished resource (404) is an undefined value,
 * which the waiter reports as a failure instead of polling until the deadline.
 */
export async function observe<T>(
  fetch: () => Promise<T | undefined>,
  statusOf: (doc: T) => string,
  reasonOf: (doc: T) => string | undefined = () => undefined,
): Promise<Observation<T>> {
  const doc = await fetch();
  if (doc === undefined) return { value: undefined, status: 'gone' };
  const reason = reasonOf(doc);
  return { value: doc, status: statusOf(doc), ...(reason ? { reason } : {}) };
}

/**
 * Observe a resource for `waitForDeletion`: undefined once it is gone (404 or one of `goneStates`);
 * a status in `failures` (Cinder `error_deleting`) fails at once, since the generic waiter
 * lets any status containing "deleting" keep waiting.
 */
export async function observeDeletion<T>(
  what: string,
  fetch: () => Promise<T | undefined>,
  statusOf: (doc: T) => string,
  options: { goneStates?: readonly string[]; failures?: readonly string[] } = {},
): Promise<{ status: string } | undefined> {
  const doc = await fetch();
  if (doc === undefined) return undefined;
  const status = statusOf(doc);
  const lower = status.toLowerCase();
  if (options.goneStates?.some((s) => s.toLowerCase() === lower)) return undefined;
  if (options.failures?.some((s) => s.toLowerCase() === lower)) {
    throw new ResourceFailedError(`${what} reached status ${status} while being deleted`, {
      details: { status },
    });
  }
  return { status };
}

/** The statuses to wait for, as a list. */
export function statusList(wanted: string | readonly string[]): readonly string[] {
  return typeof wanted === 'string' ? [wanted] : wanted;
}

/**
 * The Keystone v3 base URL from an identity endpoint: catalogs register it both as
 * `http://host:5000` and as `http://host:5000/v3` (keystoneauth appends /v3 unless present).
 */
export function identityV3Url(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

/** Keystone's v3 base: the catalog's identity endpoint, else auth_url (some catalogs omit identity). */
export async function identityV3(session: Session, options?: RequestOptions): Promise<string> {
  try {
    return identityV3Url(await session.endpoint('identity', options?.signal));
  } catch (err) {
    if (!(err instanceof UnsupportedError)) throw err;
    return identityV3Url(session.cloud.auth.auth_url);
  }
}

/** One zone of `GET /os-availability-zone`, which Nova and Cinder answer alike. */
export interface AvailabilityZone extends WireDocument {
  zoneName: string;
  zoneState: { available: boolean };
  /** Admin-only detail; null for a member. */
  hosts?: Record<string, unknown> | null;
}

export function listAvailabilityZones(
  session: Session,
  service: 'compute' | 'block-storage',
  path: string,
  options: RequestOptions = {},
): AsyncGenerator<AvailabilityZone> {
  return session.list<AvailabilityZone>(service, path, 'availabilityZoneInfo', {}, withSignal(options));
}

/** One resource of a Nova `…/detail` or Cinder `?usage=true` quota set (-1 = unlimited). */
export interface QuotaUsage {
  limit: number;
  in_use: number;
  reserved: number;
  /** Cinder, nested quotas only. */
  allocated?: number;
}

export interface NeutronResourceSpec {
  /** Single-resource envelope key: "port". */
  key: string;
  /** Collection envelope key: "ports". */
  listKey: string;
  /** For messages: "port". */
  what: string;
  collection: () => string;
  item: (id: string) => string;
}

/**
 * Neutron's uniform CRUD over one resource: `{key: {...}}` envelopes, filters as query
 * parameters, and the same success codes everywhere (GET 200, POST 201, PUT 200, DELETE 204).
 */
export function neutronResource<T, Create, Update, Filters extends object>(spec: NeutronResourceSpec) {
  const list = (session: Session, filters?: Filters, options: RequestOptions = {}): AsyncGenerator<T> =>
    session.list<T>('network', spec.collection(), spec.listKey, toQuery(filters ?? {}), withSignal(options));

  const get = async (session: Session, id: string, options: RequestOptions = {}): Promise<T> => {
    const res = await session.json<unknown>('network', {
      path: spec.item(id),
      ok: [200],
      ...withSignal(options),
    });
    return envelope<T>(res, spec.key, `GET ${spec.what} ${id}`);
  };

  const create = async (session: Session, input: Create, options: RequestOptions = {}): Promise<T> => {
    const res = await session.json<unknown>('network', {
      method: 'POST',
      path: spec.collection(),
      json: { [spec.key]: input },
      ok: [201],
      ...withSignal(options),
    });
    return envelope<T>(res, spec.key, `POST ${spec.what}`);
  };

  const update = async (
    session: Session,
    id: string,
    changes: Update,
    options: RequestOptions = {},
  ): Promise<T> => {
    const res = await session.json<unknown>('network', {
      method: 'PUT',
      path: spec.item(id),
      json: { [spec.key]: changes },
      ok: [200],
      ...withSignal(options),
    });
    return envelope<T>(res, spec.key, `PUT ${spec.what} ${id}`);
  };

  const remove = async (session: Session, id: string, options: RequestOptions = {}): Promise<void> => {
    await session.json<unknown>('network', {
      method: 'DELETE',
      path: spec.item(id),
      ok: [204],
      ...withSignal(options),
    });
  };

  return { list, get, create, update, remove };
}

/** Attributes every Neutron resource carries (standard-attr-* extensions; absent where not enabled). */
export interface NeutronStandardAttributes extends WireDocument {
  id: string;
  project_id: string;
  tenant_id?: string;
  description?: string;
  tags?: string[];
  created_at?: string;
  updated_at?: string;
  revision_number?: number;
}

/** Filters every Neutron collection accepts (tag filters need standard-attr-tag). */
export interface NeutronListFilters {
  id?: string | string[];
  project_id?: string;
  tags?: string[];
  'tags-any'?: string[];
  'not-tags'?: string[];
  'not-tags-any'?: string[];
  limit?: number;
  sort_key?: string;
  sort_dir?: 'asc' | 'desc';
}
