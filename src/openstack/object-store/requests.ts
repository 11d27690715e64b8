import type { Readable } from 'node:stream';
import { withSignal, type RequestOptions } from '../common.js';
import type { BodySource, Headers, HttpResponse } from '../http/client.js';
import { HttpError } from '../http/errors.js';
import type { Session } from '../session/session.js';
import type { ContainerListing, ListOptions, ObjectListing, SwiftHeaders, SwiftInfo } from './types.js';
import * as urls from './urls.js';

const SERVICE = 'object-store';
/** Swift's own ceiling for one listing page (CONTAINER_LISTING_LIMIT, ACCOUNT_LISTING_LIMIT). */
export const LISTING_LIMIT = 10_000;

type Query = Record<string, string | number | undefined>;

/** Response headers as one lower-cased string each (a repeated header joined with a comma). */
export function headersOf(raw: Headers): SwiftHeaders {
  const out: SwiftHeaders = {};
  for (const [k, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** A request whose body, if any, is read and dropped: Swift answers writes with a short text body. */
async function send(
  session: Session,
  req: {
    method: 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'GET';
    path: string;
    query?: Query;
    headers?: Record<string, string>;
    body?: BodySource;
    ok: readonly number[];
    signal?: AbortSignal;
  },
): Promise<{ status: number; headers: SwiftHeaders }> {
  const res = await session.stream(SERVICE, {
    method: req.method,
    path: req.path,
    ok: req.ok,
    idempotent: true,
    ...(req.query ? { query: req.query } : {}),
    ...(req.headers ? { headers: req.headers } : {}),
    ...(req.body ? { body: req.body } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  for await (const _ of res.data) {
    // drained
  }
  return { status: res.status, headers: headersOf(res.headers) };
}

/** The account endpoint's origin plus `/info` (Swift serves it beside `/v1`). */
export async function info(session: Session, options: RequestOptions = {}): Promise<SwiftInfo> {
  const endpoint = await session.endpoint(SERVICE, options.signal);
  const root = endpoint.replace(/\/v1(\/[^/]*)?\/?$/, '');
  const res = await session.json<SwiftInfo>(SERVICE, {
    path: `${root}/info`,
    ok: [200],
    ...withSignal(options),
  });
  return res.data ?? {};
}

export async function headAccount(session: Session, options: RequestOptions = {}): Promise<SwiftHeaders> {
  return (
    await send(session, { method: 'HEAD', path: urls.account(), ok: [200, 204], ...withSignal(options) })
  ).headers;
}

/** One JSON listing page; a 204 (nothing there) is an empty page. */
async function page<T>(session: Session, path: string, query: Query, signal?: AbortSignal): Promise<T[]> {
  const res = await session.json<T[] | undefined>(SERVICE, {
    path,
    query: { format: 'json', limit: LISTING_LIMIT, ...query },
    ok: [200, 204],
    ...(signal ? { signal } : {}),
  });
  return Array.isArray(res.data) ? res.data : [];
}

/** Every container of the account, in name order, 10 000 a page with `marker`. */
export async function* listContainers(
  session: Session,
  options: { prefix?: string; signal?: AbortSignal } = {},
): AsyncGenerator<ContainerListing> {
  let marker: string | undefined;
  for (;;) {
    const items = await page<ContainerListing>(
      session,
      urls.account(),
      { prefix: options.prefix, marker },
      options.signal,
    );
    yield* items;
    if (items.length < LISTING_LIMIT) return;
    marker = items[items.length - 1]!.name;
  }
}

/** Every object of a container in name order; with `versions`, every version, newest first per name. */
export async function* listObjects(
  session: Session,
  containerName: string,
  options: ListOptions = {},
): AsyncGenerator<ObjectListing> {
  let marker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const query: Query = { prefix: options.prefix, marker };
    if (options.versions) Object.assign(query, { versions: '', version_marker: versionMarker });
    const items = await page<ObjectListing>(session, urls.container(containerName), query, options.signal);
    yield* items.filter((i) => i.subdir === undefined);
    if (items.length < LISTING_LIMIT) return;
    const last = items[items.length - 1]!;
    marker = last.name;
    versionMarker = options.versions ? last.version_id : undefined;
  }
}

/** A container's headers, or undefined when it does not exist. */
export async function headContainer(
  session: Session,
  name: string,
  options: RequestOptions = {},
): Promise<SwiftHeaders | undefined> {
  try {
    return (
      await send(session, {
        method: 'HEAD',
        path: urls.container(name),
        ok: [200, 204],
        ...withSignal(options),
      })
    ).headers;
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return undefined;
    throw err;
  }
}

/** Creates the container, or sets the given headers on an existing one (PUT is idempotent in Swift). */
export async function putContainer(
  session: Session,
  name: string,
  headers: Record<string, string>,
  options: RequestOptions = {},
): Promise<void> {
  await send(session, {
    method: 'PUT',
    path: urls.container(name),
    headers,
    ok: [201, 202],
    ...withSignal(options),
  });
}

/** Sets (or with an empty value removes) container metadata and ACL headers. */
export async function postContainer(
  session: Session,
  name: string,
  headers: Record<string, string>,
  options: RequestOptions = {},
): Promise<void> {
  await send(session, {
    method: 'POST',
    path: urls.container(name),
    headers,
    ok: [202, 204],
    ...withSignal(options),
  });
}

/** Removes an empty container; true when it was there. */
export async function deleteContainer(
  session: Session,
  name: string,
  options: RequestOptions = {},
): Promise<boolean> {
  const res = await send(session, {
    method: 'DELETE',
    path: urls.container(name),
    ok: [204, 404],
    ...withSignal(options),
  });
  return res.status !== 404;
}

export interface ObjectRead extends RequestOptions {
  /** `multipart-manifest=get` (a static or dynamic large object's manifest itself), `symlink=get`, `version-id`. */
  query?: Query;
}

export async function headObject(
  session: Session,
  containerName: string,
  name: string,
  options: ObjectRead = {},
): Promise<SwiftHeaders | undefined> {
  try {
    return (
      await send(session, {
        method: 'HEAD',
        path: urls.object(containerName, name),
        ok: [200, 204],
        ...(options.query ? { query: options.query } : {}),
        ...withSignal(options),
      })
    ).headers;
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return undefined;
    throw err;
  }
}

/** The object's bytes as a stream with its headers; the caller consumes or destroys `data`. */
export async function getObject(
  session: Session,
  containerName: string,
  name: string,
  options: ObjectRead = {},
): Promise<HttpResponse<Readable>> {
  return session.stream(SERVICE, {
    path: urls.object(containerName, name),
    ok: [200],
    ...(options.query ? { query: options.query } : {}),
    ...withSignal(options),
  });
}

/** Writes an object; returns the response headers (its `etag`). */
export async function putObject(
  session: Session,
  containerName: string,
  name: string,
  body: BodySource,
  headers: Record<string, string>,
  options: ObjectRead = {},
): Promise<SwiftHeaders> {
  return (
    await send(session, {
      method: 'PUT',
      path: urls.object(containerName, name),
      headers: {
        ...(body.length !== undefined ? { 'content-length': String(body.length) } : {}),
        ...headers,
      },
      body,
      ok: [201],
      ...(options.query ? { query: options.query } : {}),
      ...withSignal(options),
    })
  ).headers;
}

/** Removes an object (or with `multipart-manifest=delete` a static large object and its segments); true when it was there. */
export async function deleteObject(
  session: Session,
  containerName: string,
  name: string,
  options: ObjectRead = {},
): Promise<boolean> {
  const res = await send(session, {
    method: 'DELETE',
    path: urls.object(containerName, name),
    ok: [200, 204, 404],
    ...(options.query ? { query: options.query } : {}),
    ...withSignal(options),
  });
  return res.status !== 404;
}
