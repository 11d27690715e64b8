import { envelope, toQuery, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type {
  CreateVolumeInput,
  ListVolumesOptions,
  UpdateVolumeInput,
  UploadToImageInput,
  UploadToImageResult,
  Volume,
} from './types.js';
import * as urls from './urls.js';

/** The project's volumes, with details. Never `all_tenants`. */
export function list(
  session: Session,
  filters: ListVolumesOptions = {},
  options: RequestOptions = {},
): AsyncGenerator<Volume> {
  return session.list<Volume>(
    'block-storage',
    urls.volumesDetail(),
    'volumes',
    toQuery(filters),
    withSignal(options),
  );
}

export async function get(session: Session, id: string, options: RequestOptions = {}): Promise<Volume> {
  const res = await session.json<unknown>('block-storage', {
    path: urls.volume(id),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<Volume>(res, 'volume', `GET volume ${id}`);
}

/** Ask for a volume; it starts in `creating` (see `waitForVolumeStatus`). */
export async function create(
  session: Session,
  input: CreateVolumeInput,
  options: RequestOptions = {},
): Promise<Volume> {
  const res = await session.json<unknown>('block-storage', {
    method: 'POST',
    path: urls.volumes(),
    json: { volume: input },
    ok: [202],
    ...withSignal(options),
  });
  return envelope<Volume>(res, 'volume', `POST volume ${input.name ?? ''}`.trim());
}

export async function update(
  session: Session,
  id: string,
  changes: UpdateVolumeInput,
  options: RequestOptions = {},
): Promise<Volume> {
  const res = await session.json<unknown>('block-storage', {
    method: 'PUT',
    path: urls.volume(id),
    json: { volume: changes },
    ok: [200],
    ...withSignal(options),
  });
  return envelope<Volume>(res, 'volume', `PUT volume ${id}`);
}

/** Delete; `cascade` also deletes its snapshots. Asynchronous: see `waitForVolumeDeleted`. */
export async function remove(
  session: Session,
  id: string,
  options: RequestOptions & { cascade?: boolean } = {},
): Promise<void> {
  await session.json<unknown>('block-storage', {
    method: 'DELETE',
    path: urls.volume(id),
    ...(options.cascade ? { query: { cascade: true } } : {}),
    ok: [202],
    ...withSignal(options),
  });
}

async function runAction<T>(
  session: Session,
  id: string,
  body: Record<string, unknown>,
  ok: readonly number[],
  options: RequestOptions,
) {
  return session.json<T>('block-storage', {
    method: 'POST',
    path: urls.action(id),
    json: body,
    ok,
    ...withSignal(options),
  });
}

/**
 * Copy an `available` volume into a new Glance image and return what Cinder answered (with
 * `image_id`). Never forced: forcing an in-use upload is off on most clouds and copies a
 * disk that is being written.
 */
export async function uploadToImage(
  session: Session,
  id: string,
  input: UploadToImageInput,
  options: RequestOptions = {},
): Promise<UploadToImageResult> {
  const res = await runAction<unknown>(
    session,
    id,
    { 'os-volume_upload_image': { container_format: 'bare', ...input, force: false } },
    [202],
    options,
  );
  return envelope<UploadToImageResult>(res, 'os-volume_upload_image', `upload volume ${id} to an image`);
}

/** Add keys to the image metadata a volume hands on to images made from it (`os-set_image_metadata`). */
export async function setImageMetadata(
  session: Session,
  id: string,
  metadata: Record<string, string>,
  options: RequestOptions = {},
): Promise<void> {
  await runAction<unknown>(session, id, { 'os-set_image_metadata': { metadata } }, [200], options);
}

/** Grow to `newSize` GiB (in-use volumes need 3.42); the volume goes extending → available/in-use. */
export async function extend(
  session: Session,
  id: string,
  newSize: number,
  options: RequestOptions = {},
): Promise<void> {
  await runAction<unknown>(session, id, { 'os-extend': { new_size: newSize } }, [202], options);
}

export async function setBootable(
  session: Session,
  id: string,
  bootable: boolean,
  options: RequestOptions = {},
): Promise<void> {
  await runAction<unknown>(session, id, { 'os-set_bootable': { bootable } }, [200], options);
}

/** Replace all metadata (`merge: true` keeps the keys not named). */
export async function setMetadata(
  session: Session,
  id: string,
  metadata: Record<string, string>,
  options: RequestOptions & { merge?: boolean } = {},
): Promise<Record<string, string>> {
  const res = await session.json<{ metadata?: Record<string, string> }>('block-storage', {
    method: options.merge ? 'POST' : 'PUT',
    path: urls.metadata(id),
    json: { metadata },
    ok: [200],
    ...withSignal(options),
  });
  return res.data?.metadata ?? metadata;
}
