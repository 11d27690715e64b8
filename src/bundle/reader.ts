/**
 * Reading a bundle, from a directory or from a .tar in place. Both share one implementation over
 * two primitives (size of a blob, raw bytes of a blob); every read checks size, then digest,
 * because a bundle has travelled and nothing in it is trusted until it matches its descriptor.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import { BundleFormatError, BundleIntegrityError, UsageError } from '../core/errors.js';
import { READ_HIGH_WATER_MARK, regularFileSize } from './hashing.js';
import {
  BLOBS_SHA256_DIR,
  FORMAT_FILE,
  INDEX_FILE,
  MAX_JSON_BLOB_SIZE,
  MediaType,
  parseDigest,
  sha256Hex,
  type BundleIndex,
  type DataManifest,
  type Descriptor,
} from './layout.js';
import { parseDataManifest, parseFormatMarker, parseIndex } from './schema.js';
import { scanTar, type TarEntry } from './tar.js';

export type BlobProblem = 'missing' | 'size' | 'digest';

export interface OpenDataOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface BundleReader {
  readonly path: string;
  readonly kind: 'directory' | 'tar';
  /** The committed index, read and validated when the bundle was opened. */
  index(): BundleIndex;
  has(digest: string): Promise<boolean>;
  /** Size of the stored blob, or undefined when it is absent. */
  blobSize(digest: string): Promise<number | undefined>;
  /** A small blob, whole, verified (size, then digest). */
  readBlob(descriptor: Descriptor): Promise<Buffer>;
  readJson<T = unknown>(descriptor: Descriptor): Promise<T>;
  readDataManifest(descriptor: Descriptor): Promise<DataManifest>;
  /** A blob as a stream, verified as it flows; the stream fails if the end does not match. */
  openBlob(descriptor: Descriptor, options?: OpenDataOptions): Promise<Readable>;
  /** The data a manifest stands for: its chunks in order, each verified as it streams. */
  openData(manifest: Descriptor, options?: OpenDataOptions): Promise<Readable>;
  /** Unverified bytes of a blob (for `verifyBundle`, which reports instead of throwing). */
  openRawBlob(digest: string): Readable;
  /**
   * One member of a pack blob (many small objects stored as one file): `length` bytes from
   * `offset`, read whole and checked against the member's own SHA-256 (hex).
   */
  readSlice(
    pack: Descriptor,
    offset: number,
    length: number,
    sha256: string,
    label?: string,
  ): Promise<Buffer>;
}

export function blobError(
  digest: string,
  problem: BlobProblem | 'malformed',
  context: { label?: string | undefined; expected?: number; actual?: number | string } = {},
): BundleIntegrityError {
  const what = context.label ? `${context.label} (${digest})` : `blob ${digest}`;
  const why = {
    missing: 'is missing',
    size: `has ${String(context.actual)} bytes, expected ${String(context.expected)}`,
    digest: `does not match its digest (its content hashes to sha256:${String(context.actual)})`,
    malformed: `is not valid JSON`,
  }[problem];
  return new BundleIntegrityError(`${what} ${why}`, {
    hint: 'The bundle is damaged: run `downpour verify` for the full list, then export or copy it again.',
    details: { digest, problem, ...context },
  });
}

/**
 * Yields the blob's bytes and fails unless they match: as soon as it runs long, and before its
 * last byte is passed on when the digest differs. So a consumer that counts bytes (an upload
 * with a Content-Length) never receives a complete blob that is not the right one.
 */
async function* verified(
  raw: Readable,
  expected: Descriptor,
  label: string | undefined,
): AsyncGenerator<Buffer> {
  const hex = parseDigest(expected.digest);
  const hash = createHash('sha256');
  let size = 0;
  const check = () => {
    const actual = hash.digest('hex');
    if (actual !== hex) throw blobError(expected.digest, 'digest', { label, actual });
  };
  for await (const piece of raw) {
    const buf = piece as Buffer;
    size += buf.length;
    if (size > expected.size)
      throw blobError(expected.digest, 'size', { label, expected: expected.size, actual: size });
    hash.update(buf);
    if (size === expected.size) check();
    yield buf;
  }
  if (size !== expected.size)
    throw blobError(expected.digest, 'size', { label, expected: expected.size, actual: size });
  if (size === 0) check();
}

abstract class BaseReader implements BundleReader {
  abstract readonly kind: 'directory' | 'tar';
  readonly path: string;
  #index: BundleIndex | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** Size of a regular file at a relative bundle path, or undefined. */
  protected abstract fileSize(relPath: string): Promise<number | undefined>;
  /** Raw bytes of a file known to exist with `size` bytes. */
  protected abstract fileStream(relPath: string, size: number): Readable;
  /** `length` bytes of a stored file from `start` (length > 0). */
  protected abstract fileRange(relPath: string, start: number, length: number): Readable;

  /** Reads the marker, then the index: refuses what is not a committed bundle of a known format. */
  async load(): Promise<this> {
    const marker = await this.#smallFile(FORMAT_FILE);
    if (marker === undefined) {
      throw new BundleFormatError(`${this.path} is not a Downpour bundle: it has no ${FORMAT_FILE}`, {
        hint: 'Give the path of a bundle directory or .tar written by `downpour export` or `downpour pack`.',
      });
    }
    parseFormatMarker(marker, this.path);
    const index = await this.#smallFile(INDEX_FILE);
    if (index === undefined) {
      throw new BundleIntegrityError(`${this.path} has no ${INDEX_FILE}: the export never committed`, {
        hint: 'Run the same export again; it resumes where it stopped and commits at the end.',
        details: { file: INDEX_FILE },
      });
    }
    this.#index = parseIndex(index, this.path);
    return this;
  }

  async #smallFile(relPath: string): Promise<string | undefined> {
    const size = await this.fileSize(relPath);
    if (size === undefined) return undefined;
    if (size > MAX_JSON_BLOB_SIZE)
      throw new BundleIntegrityError(`${this.path}: ${relPath} is implausibly large`);
    const parts: Buffer[] = [];
    for await (const piece of this.fileStream(relPath, size)) parts.push(piece as Buffer);
    return Buffer.concat(parts).toString('utf8');
  }

  index(): BundleIndex {
    if (!this.#index) throw new UsageError('bundle reader used before load()');
    return this.#index;
  }

  async has(digest: string): Promise<boolean> {
    return (await this.blobSize(digest)) !== undefined;
  }

  async blobSize(digest: string): Promise<number | undefined> {
    return this.fileSize(`${BLOBS_SHA256_DIR}/${parseDigest(digest)}`);
  }

  openRawBlob(digest: string): Readable {
    const rel = `${BLOBS_SHA256_DIR}/${parseDigest(digest)}`;
    // Size is looked up lazily so this stays synchronous; a missing blob surfaces as a stream error.
    return Readable.from(
      (async function* (reader: BaseReader) {
        const size = await reader.fileSize(rel);
        if (size === undefined) throw blobError(digest, 'missing');
        yield* reader.fileStream(rel, size) as AsyncIterable<Buffer>;
      })(this),
      { objectMode: false },
    );
  }

  /** Size first: a wrong size is caught before a byte is hashed. */
  async #checkedRaw(descriptor: Descriptor, label?: string): Promise<AsyncGenerator<Buffer>> {
    const rel = `${BLOBS_SHA256_DIR}/${parseDigest(descriptor.digest)}`;
    const size = await this.fileSize(rel);
    if (size === undefined) throw blobError(descriptor.digest, 'missing', { label });
    if (size !== descriptor.size) {
      throw blobError(descriptor.digest, 'size', { label, expected: descriptor.size, actual: size });
    }
    return verified(this.fileStream(rel, size), descriptor, label);
  }

  async readBlob(descriptor: Descriptor): Promise<Buffer> {
    if (descriptor.size > MAX_JSON_BLOB_SIZE) {
      throw new BundleIntegrityError(
        `blob ${descriptor.digest} is too large (${descriptor.size} bytes) to read whole`,
      );
    }
    const out = Buffer.alloc(descriptor.size);
    let at = 0;
    for await (const piece of await this.#checkedRaw(descriptor)) at += piece.copy(out, at);
    return out;
  }

  async readJson<T = unknown>(descriptor: Descriptor): Promise<T> {
    const bytes = await this.readBlob(descriptor);
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch {
      throw blobError(descriptor.digest, 'malformed');
    }
  }

  async readDataManifest(descriptor: Descriptor): Promise<DataManifest> {
    return parseDataManifest(await this.readJson(descriptor), descriptor.digest);
  }

  async readSlice(
    pack: Descriptor,
    offset: number,
    length: number,
    sha256: string,
    label?: string,
  ): Promise<Buffer> {
    const rel = `${BLOBS_SHA256_DIR}/${parseDigest(pack.digest)}`;
    const size = await this.fileSize(rel);
    if (size === undefined) throw blobError(pack.digest, 'missing', { label });
    if (size !== pack.size)
      throw blobError(pack.digest, 'size', { label, expected: pack.size, actual: size });
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > size
    ) {
      throw new BundleIntegrityError(
        `${label ?? 'a packed object'}: bytes ${offset}+${length} lie outside pack ${pack.digest} (${size} bytes)`,
      );
    }
    const out = Buffer.alloc(length);
    let at = 0;
    if (length > 0)
      for await (const piece of this.fileRange(rel, offset, length)) at += (piece as Buffer).copy(out, at);
    if (at !== length || sha256Hex(out) !== sha256) throw blobError(pack.digest, 'digest', { label });
    return out;
  }

  async openBlob(descriptor: Descriptor, options: OpenDataOptions = {}): Promise<Readable> {
    return withSignal(
      Readable.from(await this.#checkedRaw(descriptor), { objectMode: false }),
      options.signal,
    );
  }

  async openData(manifestDescriptor: Descriptor, options: OpenDataOptions = {}): Promise<Readable> {
    const manifest = await this.readDataManifest(manifestDescriptor);
    const chunks = async function* (reader: BaseReader) {
      for (const [i, chunk] of manifest.chunks.entries()) {
        const label = `chunk ${i} of data ${manifestDescriptor.digest}`;
        yield* await reader.#checkedRaw({ mediaType: MediaType.chunk, ...chunk }, label);
      }
    };
    return withSignal(Readable.from(chunks(this), { objectMode: false }), options.signal);
  }
}

function withSignal(stream: Readable, signal: AbortSignal | undefined): Readable {
  return signal ? addAbortSignal(signal, stream) : stream;
}

class DirectoryReader extends BaseReader {
  readonly kind = 'directory' as const;

  protected fileRange(relPath: string, start: number, length: number): Readable {
    return createReadStream(join(this.path, ...relPath.split('/')), { start, end: start + length - 1 });
  }

  protected fileSize(relPath: string): Promise<number | undefined> {
    return regularFileSize(join(this.path, ...relPath.split('/')));
  }

  protected fileStream(relPath: string): Readable {
    return createReadStream(join(this.path, ...relPath.split('/')), { highWaterMark: READ_HIGH_WATER_MARK });
  }
}

class TarReader extends BaseReader {
  readonly kind = 'tar' as const;
  readonly #entries: Map<string, TarEntry>;
  /** '' normally; 'NAME/' when someone ran `tar cf x.tar NAME.bundle` instead of `downpour pack`. */
  readonly #root: string;

  constructor(path: string, entries: Map<string, TarEntry>) {
    super(path);
    this.#entries = entries;
    const wrapped = [...entries.keys()].filter((p) => /^[^/]+\/downpour-bundle\.json$/.test(p));
    this.#root =
      !entries.has(FORMAT_FILE) && wrapped.length === 1 ? wrapped[0]!.slice(0, -FORMAT_FILE.length) : '';
  }

  protected fileSize(relPath: string): Promise<number | undefined> {
    return Promise.resolve(this.#entries.get(this.#root + relPath)?.size);
  }

  protected fileRange(relPath: string, start: number, length: number): Readable {
    const entry = this.#entries.get(this.#root + relPath);
    if (!entry) return Readable.from([]);
    return createReadStream(this.path, {
      start: entry.offset + start,
      end: entry.offset + start + length - 1,
    });
  }

  protected fileStream(relPath: string, size: number): Readable {
    const entry = this.#entries.get(this.#root + relPath);
    if (!entry || size === 0) return Readable.from([]);
    return createReadStream(this.path, {
      start: entry.offset,
      end: entry.offset + entry.size - 1,
      highWaterMark: READ_HIGH_WATER_MARK,
    });
  }
}

/** Opens a bundle directory or a .tar of one (chosen by what the path is) and checks its index. */
export async function openBundle(path: string): Promise<BundleReader> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no bundle at ${path}`);
    throw err;
  }
  if (info.isDirectory()) return new DirectoryReader(path).load();
  if (info.isFile()) return new TarReader(path, await scanTar(path)).load();
  throw new UsageError(`${path} is neither a bundle directory nor a .tar file`);
}
