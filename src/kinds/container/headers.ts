/**
 * Which Swift headers a migration carries, and which it must not: shared by the export (what to
 * read), the import (what to write) and the renderers.
 */
import type { SwiftHeaders } from '../../openstack/object-store/index.js';

export const CONTAINER_META = 'x-container-meta-';
export const OBJECT_META = 'x-object-meta-';

/** Container metadata keys that hold secrets: never written to a bundle, reported instead. */
export const SECRET_CONTAINER_META = new Set(['temp-url-key', 'temp-url-key-2']);

/** The container metadata key that marks a destination container as made by one bundle's import. */
export const PROVENANCE_META = 'downpour-bundle';

/** Object headers an upload replays, besides `X-Object-Meta-*`. */
const OBJECT_HEADERS = ['content-type', 'content-encoding', 'content-disposition', 'x-delete-at'];

/** Swift appends the size of a large object's whole to its content type in some answers. */
export function plainContentType(value: string): string {
  return value.replace(/;\s*swift_bytes=\d+/, '');
}

export function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** The headers of an object an upload replays, from a GET or HEAD of it. */
export function objectHeaders(headers: SwiftHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(headers)) {
    if (k.startsWith(OBJECT_META) || OBJECT_HEADERS.includes(k))
      out[k] = k === 'content-type' ? plainContentType(value) : value;
  }
  return out;
}

/** Container metadata without prefix, leaving out secrets and Downpour's own mark; and the secret keys seen. */
export function containerMetadata(headers: SwiftHeaders): {
  metadata: Record<string, string>;
  secrets: string[];
} {
  const metadata: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [k, value] of Object.entries(headers)) {
    if (!k.startsWith(CONTAINER_META)) continue;
    const key = k.slice(CONTAINER_META.length);
    if (SECRET_CONTAINER_META.has(key)) secrets.push(key);
    else if (key !== PROVENANCE_META) metadata[key] = value;
  }
  return { metadata, secrets };
}

/** A delete marker in an object-versioning listing. */
export function isDeleteMarker(contentType: string | undefined): boolean {
  return (contentType ?? '').startsWith('application/x-deleted');
}

/** `container/object` (a symlink target, a large object's segment path, `/container/object`) -> the container. */
export function containerOfPath(path: string): string | undefined {
  const trimmed = path.replace(/^\/+/, '');
  const i = trimmed.indexOf('/');
  return i > 0 ? trimmed.slice(0, i) : undefined;
}

/** The MD5 of no bytes: the listing hash of a dynamic large object's manifest (and of an empty object). */
export const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
