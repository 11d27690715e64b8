/**
 * The on-disk shape of a bundle, shared by the writer, both readers, the tar packer and verify.
 * Storage only: nothing here knows about OpenStack.
 *
 *   NAME.bundle/
 *     downpour-bundle.json   format marker, written first
 *     index.json             the commit point, written last by atomic rename
 *     blobs/sha256/<hex>     every blob, write-once, named by its SHA-256
 *     ingest/                partial writes, resumable; removed on commit
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BundleIntegrityError } from '../core/errors.js';

export const FORMAT_FILE = 'downpour-bundle.json';
export const INDEX_FILE = 'index.json';
export const BLOBS_DIR = 'blobs';
/** Relative, with forward slashes: also the prefix of blob paths inside a tar. */
export const BLOBS_SHA256_DIR = 'blobs/sha256';
export const INGEST_DIR = 'ingest';

export const BUNDLE_FORMAT = 'downpour-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const INDEX_SCHEMA_VERSION = 1;

export const MediaType = {
  graph: 'application/vnd.downpour.graph.v1+json',
  resource: 'application/vnd.downpour.resource.v1+json',
  dataManifest: 'application/vnd.downpour.data-manifest.v1+json',
  chunk: 'application/octet-stream',
  /** Many small objects' bytes, one after another; each member is found by offset and checked by its own SHA-256. */
  pack: 'application/vnd.downpour.pack.v1',
  /** A page of a container's object list (at most 10 000 entries, in name order). */
  objectPage: 'application/vnd.downpour.object-page.v1+json',
} as const;

/** 64 MiB: big enough that a 20 GiB volume is ~320 chunks, small enough that a lost chunk is cheap to redo. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024;

/**
 * JSON documents are read whole into memory; a descriptor claiming more than this is refused
 * rather than trusted, so a tampered size cannot make a reader allocate gigabytes.
 */
export const MAX_JSON_BLOB_SIZE = 256 * 1024 * 1024;

export type Digest = `sha256:${string}`;

/** Pins content: OCI's `{mediaType, digest, size}`. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
}

export interface FormatMarker {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: number;
}

export interface BundleIndex {
  readonly schemaVersion: typeof INDEX_SCHEMA_VERSION;
  readonly bundleId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly root: Descriptor;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ChunkRef {
  readonly digest: Digest;
  readonly size: number;
}

/** The blob that stands for one large stream (an image, a volume): its chunks in order. */
export interface DataManifest {
  readonly size: number;
  readonly chunkSize: number;
  readonly chunks: readonly ChunkRef[];
  /** SHA-256 of the whole stream, hex, so it can be compared with the source's own checksum. */
  readonly sha256: string;
}

const DIGEST_RE = /^sha256:([a-f0-9]{64})$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/**
 * The hex part of a digest. Only `sha256:<64 lowercase hex>` is accepted: the hex becomes a file
 * name, so anything looser would let a tampered document point a reader outside `blobs/`.
 */
export function parseDigest(value: string): string {
  const match = DIGEST_RE.exec(value);
  if (!match?.[1]) {
    throw new BundleIntegrityError(`not a valid sha256 digest: ${JSON.stringify(value.slice(0, 100))}`, {
      details: { digest: value.slice(0, 100) },
    });
  }
  return match[1];
}

export function formatDigest(hex: string): Digest {
  const digest = `sha256:${hex}`;
  parseDigest(digest);
  return digest as Digest;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `blobs/sha256/<hex>`, with forward slashes (tar entry names use this form on every platform). */
export function blobRelPath(digest: string): string {
  return `${BLOBS_SHA256_DIR}/${parseDigest(digest)}`;
}

export function blobPath(bundleDir: string, digest: string): string {
  return join(bundleDir, BLOBS_DIR, 'sha256', parseDigest(digest));
}

/**
 * A caller's key (e.g. an image id and checksum) as one safe directory name. The readable part
 * helps a human looking into `ingest/`; the hash suffix keeps keys that sanitise alike apart.
 */
export function ingestKeyName(key: string): string {
  const readable = key
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
  return `${readable}-${sha256Hex(key).slice(0, 16)}`;
}

export function ingestKeyDir(bundleDir: string, key: string): string {
  return join(bundleDir, INGEST_DIR, ingestKeyName(key));
}

export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/**
 * JSON with keys sorted at every level, no whitespace: equal documents give equal bytes and so
 * the same digest, which is what lets a second export reuse the blobs of the first.
 */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const normalise = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) throw new TypeError('canonicalJson: cyclic structure');
    seen.add(v);
    try {
      const withToJson = v as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === 'function') return normalise(withToJson.toJSON());
      if (Array.isArray(v)) return v.map(normalise);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) out[key] = normalise((v as Record<string, unknown>)[key]);
      return out;
    } finally {
      seen.delete(v);
    }
  };
  const text = JSON.stringify(normalise(value));
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON form');
  return text;
}
