/**
 * Validation of the few documents the bundle layer itself owns (format marker, index, data
 * manifest). Everything read from a bundle is untrusted: a malformed document becomes a typed
 * error naming the file, never a TypeError three calls later.
 */
import { BundleFormatError, BundleIntegrityError } from '../core/errors.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  FORMAT_FILE,
  INDEX_FILE,
  INDEX_SCHEMA_VERSION,
  isDigest,
  type BundleIndex,
  type ChunkRef,
  type DataManifest,
  type Descriptor,
  type FormatMarker,
} from './layout.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Any object with `mediaType`, `digest` and `size` is a descriptor (the shape, not yet its validity). */
export function looksLikeDescriptor(
  v: unknown,
): v is Json & { mediaType: unknown; digest: unknown; size: unknown } {
  return isObject(v) && 'mediaType' in v && 'digest' in v && 'size' in v;
}

export function isDescriptor(v: unknown): v is Descriptor {
  return looksLikeDescriptor(v) && typeof v.mediaType === 'string' && isDigest(v.digest) && isSize(v.size);
}

function parseJsonText(text: string, file: string, makeError: (msg: string) => Error): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw makeError(`${file} is not valid JSON (${(err as Error).message})`);
  }
}

export function parseFormatMarker(text: string, where: string): FormatMarker {
  const notOurs = (why: string) =>
    new BundleFormatError(`${where} is not a Downpour bundle: ${why}`, {
      hint: 'Give the path of a bundle directory or .tar written by `downpour export` or `downpour pack`.',
    });
  const value = parseJsonText(text, FORMAT_FILE, notOurs);
  if (!isObject(value) || value.format !== BUNDLE_FORMAT) {
    throw notOurs(`${FORMAT_FILE} does not say "format": "${BUNDLE_FORMAT}"`);
  }
  const version = value.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) {
    throw notOurs(`${FORMAT_FILE} has no integer "version"`);
  }
  if (version !== BUNDLE_FORMAT_VERSION) {
    throw new BundleFormatError(
      `${where} uses bundle format version ${version}; this Downpour reads version ${BUNDLE_FORMAT_VERSION} only`,
      {
        hint: 'Upgrade Downpour to a release that supports this bundle format.',
        details: { found: version, supported: [BUNDLE_FORMAT_VERSION] },
      },
    );
  }
  return { format: BUNDLE_FORMAT, version };
}

export function parseIndex(text: string, where: string): BundleIndex {
  const malformed = (why: string) =>
    new BundleIntegrityError(`${where}: ${INDEX_FILE} is malformed: ${why}`, {
      hint: 'The bundle was damaged after it was written; export it again or restore it from a copy.',
      details: { file: INDEX_FILE },
    });
  const value = parseJsonText(text, INDEX_FILE, malformed);
  if (!isObject(value)) throw malformed('not a JSON object');
  if (value.schemaVersion !== INDEX_SCHEMA_VERSION) {
    if (typeof value.schemaVersion === 'number') {
      throw new BundleFormatError(
        `${where}: ${INDEX_FILE} has schema version ${value.schemaVersion}; this Downpour reads version ${INDEX_SCHEMA_VERSION}`,
        { hint: 'Upgrade Downpour to a release that supports this bundle format.' },
      );
    }
    throw malformed('no "schemaVersion"');
  }
  const { bundleId, createdAt, updatedAt, root, annotations } = value;
  if (typeof bundleId !== 'string' || bundleId.length === 0) throw malformed('no "bundleId"');
  if (typeof createdAt !== 'string' || typeof updatedAt !== 'string') {
    throw malformed('"createdAt" and "updatedAt" must be strings');
  }
  if (!isDescriptor(root)) throw malformed('"root" is not a valid descriptor');
  const notes: Record<string, string> = {};
  if (annotations !== undefined) {
    if (!isObject(annotations)) throw malformed('"annotations" is not an object');
    for (const [k, v] of Object.entries(annotations)) {
      if (typeof v !== 'string') throw malformed(`annotation ${JSON.stringify(k)} is not a string`);
      notes[k] = v;
    }
  }
  return {
    schemaVersion: INDEX_SCHEMA_VERSION,
    bundleId,
    createdAt,
    updatedAt,
    root: { mediaType: root.mediaType, digest: root.digest, size: root.size },
    annotations: notes,
  };
}

/**
 * Checks that the chunk list adds up: every chunk but the last is exactly `chunkSize`, none is
 * empty, and the sizes sum to `size`. A manifest that fails this cannot describe a real stream.
 */
export function parseDataManifest(value: unknown, digest: string): DataManifest {
  const malformed = (why: string) =>
    new BundleIntegrityError(`data manifest ${digest} is malformed: ${why}`, {
      details: { digest, problem: 'malformed' },
    });
  if (!isObject(value)) throw malformed('not a JSON object');
  const { size, chunkSize, chunks, sha256 } = value;
  if (!isSize(size)) throw malformed('"size" is not a non-negative integer');
  if (!isSize(chunkSize) || chunkSize === 0) throw malformed('"chunkSize" is not a positive integer');
  if (typeof sha256 !== 'string' || !/^[a-f0-9]{64}$/.test(sha256)) throw malformed('"sha256" is not hex');
  if (!Array.isArray(chunks)) throw malformed('"chunks" is not an array');
  const refs: ChunkRef[] = [];
  let total = 0;
  for (const [i, chunk] of chunks.entries()) {
    if (!isObject(chunk) || !isDigest(chunk.digest) || !isSize(chunk.size) || chunk.size === 0) {
      throw malformed(`chunk ${i} is not {digest, size}`);
    }
    const last = i === chunks.length - 1;
    if (last ? chunk.size > chunkSize : chunk.size !== chunkSize) {
      throw malformed(`chunk ${i} has size ${chunk.size}, chunk size is ${chunkSize}`);
    }
    refs.push({ digest: chunk.digest, size: chunk.size });
    total += chunk.size;
  }
  if (total !== size) throw malformed(`chunks add up to ${total} bytes, "size" says ${size}`);
  return { size, chunkSize, chunks: refs, sha256 };
}
