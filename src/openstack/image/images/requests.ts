import type { Readable } from 'node:stream';
import {
  bodyObject,
  orUndefined,
  patchFor,
  toQuery,
  withSignal,
  type JsonPatchOperation,
  type RequestOptions,
} from '../../common.js';
import type { BodySource, HttpResponse } from '../../http/client.js';
import type { Session } from '../../session/session.js';
import type {
  CreateImageInput,
  DownloadOptions,
  Image,
  ImageSchema,
  ImportInfo,
  ListImagesOptions,
  UploadOptions,
} from './types.js';
import * as urls from './urls.js';

const JSON_PATCH = 'application/openstack-images-v2.1-json-patch';

/** Images the project sees (its own, public, shared and accepted, community if asked); Glance `next` pagination. */
export function list(
  session: Session,
  filters: ListImagesOptions = {},
  options: RequestOptions = {},
): AsyncGenerator<Image> {
  return session.list<Image>('image', urls.images(), 'images', toQuery(filters, []), withSignal(options));
}

export async function get(session: Session, id: string, options: RequestOptions = {}): Promise<Image> {
  const res = await session.json<unknown>('image', {
    path: urls.image(id),
    ok: [200],
    ...withSignal(options),
  });
  return bodyObject<Image>(res, `GET image ${id}`);
}

/** Create the image record (status queued); the data follows with `upload`. */
export async function create(
  session: Session,
  input: CreateImageInput,
  options: RequestOptions = {},
): Promise<Image> {
  const { properties, ...fields } = input;
  const res = await session.json<unknown>('image', {
    method: 'POST',
    path: urls.images(),
    json: { ...properties, ...fields },
    ok: [201],
    ...withSignal(options),
  });
  return bodyObject<Image>(res, `POST image ${input.name ?? ''}`.trim());
}

/** Apply a JSON patch (Glance's only way to change an image record). */
export async function update(
  session: Session,
  id: string,
  operations: readonly JsonPatchOperation[],
  options: RequestOptions = {},
): Promise<Image> {
  const res = await session.json<unknown>('image', {
    method: 'PATCH',
    path: urls.image(id),
    json: operations,
    headers: { 'content-type': JSON_PATCH },
    ok: [200],
    ...withSignal(options),
  });
  return bodyObject<Image>(res, `PATCH image ${id}`);
}

/** Set (or, with `undefined`, remove) top-level properties of `image`, patching only what changes. */
export async function setProperties(
  session: Session,
  image: Image,
  changes: Record<string, unknown>,
  options: RequestOptions = {},
): Promise<Image> {
  const operations = patchFor(image, changes);
  return operations.length ? update(session, image.id, operations, options) : image;
}

export async function remove(session: Session, id: string, options: RequestOptions = {}): Promise<void> {
  await session.json<unknown>('image', {
    method: 'DELETE',
    path: urls.image(id),
    ok: [204],
    ...withSignal(options),
  });
}

export async function addTag(
  session: Session,
  id: string,
  tag: string,
  options: RequestOptions = {},
): Promise<void> {
  await session.json<unknown>('image', {
    method: 'PUT',
    path: urls.tag(id, tag),
    ok: [204],
    ...withSignal(options),
  });
}

export async function removeTag(
  session: Session,
  id: string,
  tag: string,
  options: RequestOptions = {},
): Promise<void> {
  await session.json<unknown>('image', {
    method: 'DELETE',
    path: urls.tag(id, tag),
    ok: [204],
    ...withSignal(options),
  });
}

/**
 * The image data as a stream: 200 whole, 206 from `range`, 204 when the image has no data
 * (a volume-backed server snapshot). The caller must consume or destroy `data`.
 */
export function download(
  session: Session,
  id: string,
  options: DownloadOptions = {},
): Promise<HttpResponse<Readable>> {
  const range = options.range;
  return session.stream('image', {
    path: urls.file(id),
    headers: {
      accept: 'application/octet-stream',
      ...(range ? { range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
    },
    ok: [200, 204, 206],
    ...withSignal(options),
  });
}

/**
 * Send the image data (the image must be queued). A one-shot body is never replayed: after a
 * failure mid-stream the image returns to queued and the caller uploads again from its source.
 */
export async function upload(
  session: Session,
  id: string,
  body: BodySource,
  options: UploadOptions = {},
): Promise<void> {
  const size = options.size ?? body.length;
  await session.json<unknown>('image', {
    method: 'PUT',
    path: urls.file(id),
    body,
    headers: {
      'content-type': 'application/octet-stream',
      ...(size === undefined ? {} : { 'x-openstack-image-size': String(size) }),
    },
    ok: [204],
    ...withSignal(options),
  });
}

/** The interoperable import methods, or undefined when the cloud has no import API. */
export function importInfo(session: Session, options: RequestOptions = {}): Promise<ImportInfo | undefined> {
  return orUndefined(async () => {
    const res = await session.json<unknown>('image', {
      path: urls.importInfo(),
      ok: [200],
      ...withSignal(options),
    });
    return bodyObject<ImportInfo>(res, 'GET image import info');
  });
}

/** The image schema (any member may read it): `disk_format` and `container_format` enums list what this Glance accepts. */
export async function getSchema(session: Session, options: RequestOptions = {}): Promise<ImageSchema> {
  const res = await session.json<unknown>('image', {
    path: urls.schema(),
    ok: [200],
    ...withSignal(options),
  });
  return bodyObject<ImageSchema>(res, 'GET image schema');
}

/** The string values of one enum of the image schema (Glance lists `null` among them for unset fields). */
export function schemaEnum(schema: ImageSchema, property: string): string[] {
  return (schema.properties[property]?.enum ?? []).filter((v): v is string => typeof v === 'string');
}
