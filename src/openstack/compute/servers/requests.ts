import { DownpourError, ExitCode } from '../../../core/errors.js';
import { envelope, toQuery, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type {
  AttachVolumeInput,
  CreateServerImageInput,
  CreateServerInput,
  CreatedServer,
  InterfaceAttachment,
  ListServersOptions,
  SchedulerHints,
  Server,
  VolumeAttachment,
} from './types.js';
import * as urls from './urls.js';

/** The project's servers, with details. Never `all_tenants`: Downpour works inside one project. */
export function list(
  session: Session,
  filters: ListServersOptions = {},
  options: RequestOptions = {},
): AsyncGenerator<Server> {
  return session.list<Server>(
    'compute',
    urls.serversDetail(),
    'servers',
    toQuery(filters),
    withSignal(options),
  );
}

export async function get(session: Session, id: string, options: RequestOptions = {}): Promise<Server> {
  const res = await session.json<unknown>('compute', {
    path: urls.server(id),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<Server>(res, 'server', `GET server ${id}`);
}

/** Ask for a server; it starts in BUILD (see `waitForServerStatus`). */
export async function create(
  session: Session,
  input: CreateServerInput,
  options: RequestOptions & { schedulerHints?: SchedulerHints } = {},
): Promise<CreatedServer> {
  const res = await session.json<unknown>('compute', {
    method: 'POST',
    path: urls.servers(),
    // The hints travel beside "server", not inside it.
    json: {
      server: input,
      ...(options.schedulerHints ? { 'os:scheduler_hints': options.schedulerHints } : {}),
    },
    ok: [202],
    ...withSignal(options),
  });
  return envelope<CreatedServer>(res, 'server', `POST server ${input.name}`);
}

export async function remove(session: Session, id: string, options: RequestOptions = {}): Promise<void> {
  await session.json<unknown>('compute', {
    method: 'DELETE',
    path: urls.server(id),
    ok: [204],
    ...withSignal(options),
  });
}

async function runAction(
  session: Session,
  id: string,
  body: Record<string, unknown>,
  options: RequestOptions,
): Promise<void> {
  await session.json<unknown>('compute', {
    method: 'POST',
    path: urls.action(id),
    json: body,
    ok: [202],
    ...withSignal(options),
  });
}

export function stop(session: Session, id: string, options: RequestOptions = {}): Promise<void> {
  return runAction(session, id, { 'os-stop': null }, options);
}

export function start(session: Session, id: string, options: RequestOptions = {}): Promise<void> {
  return runAction(session, id, { 'os-start': null }, options);
}

/**
 * Snapshot the server into a new image and return the image id: in the body from 2.45, in
 * the Location header (`…/images/{id}`) before. The image is still queued/saving.
 */
export async function createImage(
  session: Session,
  id: string,
  input: CreateServerImageInput,
  options: RequestOptions = {},
): Promise<string> {
  const res = await session.json<{ image_id?: string } | undefined>('compute', {
    method: 'POST',
    path: urls.action(id),
    json: { createImage: input },
    ok: [202],
    ...withSignal(options),
  });
  const fromBody = res.data?.image_id;
  if (fromBody) return fromBody;
  const location = res.headers['location'];
  const href = Array.isArray(location) ? location[0] : location;
  const fromHeader = href ? new URL(href, 'http://relative.invalid').pathname.split('/').pop() : undefined;
  if (fromHeader) return decodeURIComponent(fromHeader);
  throw new DownpourError(
    'E_HTTP_BAD_BODY',
    ExitCode.unexpected,
    `createImage of server ${id} returned neither an image_id nor a Location header`,
  );
}

export async function getTags(session: Session, id: string, options: RequestOptions = {}): Promise<string[]> {
  const res = await session.json<{ tags?: string[] }>('compute', {
    path: urls.tags(id),
    ok: [200],
    ...withSignal(options),
  });
  return res.data?.tags ?? [];
}

/** Replace every tag of the server (at most 50, none holding "," or "/"). */
export async function setTags(
  session: Session,
  id: string,
  tags: readonly string[],
  options: RequestOptions = {},
): Promise<string[]> {
  const res = await session.json<{ tags?: string[] }>('compute', {
    method: 'PUT',
    path: urls.tags(id),
    json: { tags },
    ok: [200],
    ...withSignal(options),
  });
  return res.data?.tags ?? [...tags];
}

/** Add one tag; 201 when new, 204 when the server already had it. */
export async function addTag(
  session: Session,
  id: string,
  tag: string,
  options: RequestOptions = {},
): Promise<void> {
  await session.json<unknown>('compute', {
    method: 'PUT',
    path: urls.tag(id, tag),
    ok: [201, 204],
    ...withSignal(options),
  });
}

export async function removeTag(
  session: Session,
  id: string,
  tag: string,
  options: RequestOptions = {},
): Promise<void> {
  await session.json<unknown>('compute', {
    method: 'DELETE',
    path: urls.tag(id, tag),
    ok: [204],
    ...withSignal(options),
  });
}

export async function getMetadata(
  session: Session,
  id: string,
  options: RequestOptions = {},
): Promise<Record<string, string>> {
  const res = await session.json<{ metadata?: Record<string, string> }>('compute', {
    path: urls.metadata(id),
    ok: [200],
    ...withSignal(options),
  });
  return res.data?.metadata ?? {};
}

/** Replace all metadata (`merge: true` keeps the keys not named, as `POST …/metadata` does). */
export async function setMetadata(
  session: Session,
  id: string,
  metadata: Record<string, string>,
  options: RequestOptions & { merge?: boolean } = {},
): Promise<Record<string, string>> {
  const res = await session.json<{ metadata?: Record<string, string> }>('compute', {
    method: options.merge ? 'POST' : 'PUT',
    path: urls.metadata(id),
    json: { metadata },
    ok: [200],
    ...withSignal(options),
  });
  return res.data?.metadata ?? metadata;
}

export function listVolumeAttachments(
  session: Session,
  id: string,
  options: RequestOptions = {},
): AsyncGenerator<VolumeAttachment> {
  return session.list<VolumeAttachment>(
    'compute',
    urls.volumeAttachments(id),
    'volumeAttachments',
    {},
    withSignal(options),
  );
}

/** Attach a volume; from 2.101 Nova answers 202 and finishes later (watch the volume reach in-use). */
export async function attachVolume(
  session: Session,
  id: string,
  input: AttachVolumeInput,
  options: RequestOptions = {},
): Promise<VolumeAttachment> {
  const res = await session.json<unknown>('compute', {
    method: 'POST',
    path: urls.volumeAttachments(id),
    json: { volumeAttachment: input },
    ok: [200, 202],
    ...withSignal(options),
  });
  return envelope<VolumeAttachment>(
    res,
    'volumeAttachment',
    `attach volume ${input.volumeId} to server ${id}`,
  );
}

/** Detach a volume; asynchronous (watch the volume reach available). */
export async function detachVolume(
  session: Session,
  id: string,
  volumeId: string,
  options: RequestOptions = {},
): Promise<void> {
  await session.json<unknown>('compute', {
    method: 'DELETE',
    path: urls.volumeAttachment(id, volumeId),
    ok: [202],
    ...withSignal(options),
  });
}

export function listInterfaces(
  session: Session,
  id: string,
  options: RequestOptions = {},
): AsyncGenerator<InterfaceAttachment> {
  return session.list<InterfaceAttachment>(
    'compute',
    urls.interfaces(id),
    'interfaceAttachments',
    {},
    withSignal(options),
  );
}
