/**
 * Large data into the bundle, containerd-style: bytes go to `ingest/<key>/chunk.partial`, hashed
 * on the way, and each full chunk is fsync'd and renamed to `blobs/sha256/<hex>`. After every
 * committed chunk, `ingest/<key>/progress.json` lists the chunks so far, so a killed export can
 * restart its download at the end of the last committed chunk (HTTP Range) instead of at zero.
 *
 * Memory stays flat: each piece of the source is written straight to the file and awaited before
 * the next is pulled (that await is the backpressure); nothing holds a whole chunk.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleIntegrityError, InterruptedError, UsageError } from '../core/errors.js';
import { ensureDir, FILE_MODE, renameDurable, writeFileAtomic } from '../core/fs-atomic.js';
import { hashFile, isIntactBlob, regularFileSize } from './hashing.js';
import {
  blobPath,
  canonicalJson,
  DEFAULT_CHUNK_SIZE,
  formatDigest,
  ingestKeyDir,
  isDigest,
  MediaType,
  parseDigest,
  type ChunkRef,
  type DataManifest,
  type Descriptor,
} from './layout.js';
import { isDescriptor, parseDataManifest } from './schema.js';

export interface ResumePoint {
  readonly key: string;
  /** Bytes already committed: restart the source here. */
  readonly offset: number;
  readonly chunkSize: number;
  readonly chunks: readonly ChunkRef[];
  /** Set when the whole stream was already written: its manifest, nothing left to read. */
  readonly complete?: Descriptor;
}

export interface DataProgress {
  readonly key: string;
  /** Bytes of the whole stream stored so far, including those committed by an earlier run. */
  readonly bytes: number;
  readonly chunks: number;
}

export interface PutDataOptions {
  /** Stable identity of the data (e.g. source image id + checksum); any string, sanitised here. */
  readonly key: string;
  readonly chunkSize?: number | undefined;
  readonly onProgress?: ((progress: DataProgress) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** From `dataResumePoint(key)`: the source must then start at `resume.offset`. */
  readonly resume?: ResumePoint | undefined;
  /** When known (Glance `size`), a source that ends early or runs long is refused. */
  readonly expectedSize?: number | undefined;
}

export interface PutDataResult {
  readonly descriptor: Descriptor;
  readonly manifest: DataManifest;
}

/** What the writer lends to the data path. */
export interface IngestContext {
  readonly dir: string;
  putJson(mediaType: string, value: unknown): Promise<Descriptor>;
  /** Whole-stream hash states computed by `dataResumePoint`, so a resume does not read the chunks twice. */
  readonly resumeHashes: Map<string, { signature: string; hash: Hash }>;
  /** Hex digests of blobs proven intact on disk during this session. */
  readonly intact: Set<string>;
  /** Keys being written now: two writers of one key would share one chunk.partial. */
  readonly active: Set<string>;
}

interface ProgressFile {
  version: 1;
  key: string;
  chunkSize: number;
  chunks: ChunkRef[];
  manifest?: Descriptor;
}

const PROGRESS_FILE = 'progress.json';
const PARTIAL_FILE = 'chunk.partial';

const signatureOf = (chunks: readonly ChunkRef[]) => chunks.map((c) => `${c.digest}:${c.size}`).join(',');

async function readProgress(keyDir: string, key: string): Promise<ProgressFile | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(join(keyDir, PROGRESS_FILE), 'utf8'));
  } catch {
    // No progress, or a file we cannot trust: start from zero, which is always correct.
    return undefined;
  }
  const p = value as Partial<ProgressFile> | null;
  if (
    !p ||
    p.version !== 1 ||
    p.key !== key ||
    !Number.isSafeInteger(p.chunkSize) ||
    !Array.isArray(p.chunks)
  ) {
    return undefined;
  }
  const chunkSize = p.chunkSize as number;
  const ok = p.chunks.every(
    (c: unknown, i, all) =>
      isDigest((c as ChunkRef | null)?.digest) &&
      Number.isSafeInteger((c as ChunkRef).size) &&
      (i === all.length - 1 ? (c as ChunkRef).size <= chunkSize : (c as ChunkRef).size === chunkSize),
  );
  if (!ok || chunkSize <= 0) return undefined;
  return {
    version: 1,
    key,
    chunkSize,
    chunks: p.chunks,
    ...(isDescriptor(p.manifest) ? { manifest: p.manifest } : {}),
  };
}

/**
 * The committed chunks for `key`, re-verified on disk (size, then digest); the list is cut at the
 * first chunk that is missing or damaged, since the stream can only be resumed from a prefix.
 */
export async function dataResumePoint(ctx: IngestContext, key: string): Promise<ResumePoint> {
  checkKey(key);
  const progress = await readProgress(ingestKeyDir(ctx.dir, key), key);
  if (!progress) return { key, offset: 0, chunkSize: DEFAULT_CHUNK_SIZE, chunks: [] };
  const whole = createHash('sha256');
  let beforeLast = whole.copy();
  const good: ChunkRef[] = [];
  for (const chunk of progress.chunks) {
    const path = blobPath(ctx.dir, chunk.digest);
    const expectedHex = parseDigest(chunk.digest);
    // What we learn here overrides what this session believed: the damaged chunk must be rewritten.
    ctx.intact.delete(expectedHex);
    if ((await regularFileSize(path)) !== chunk.size) break;
    const previous = whole.copy();
    const { hex } = await hashFile(path, whole);
    if (hex !== expectedHex) return finish(ctx, key, progress.chunkSize, good, previous);
    ctx.intact.add(hex);
    beforeLast = previous;
    good.push(chunk);
  }
  if (progress.manifest && good.length === progress.chunks.length) {
    const { digest, size } = progress.manifest;
    if (await isIntactBlob(blobPath(ctx.dir, digest), parseDigest(digest), size, ctx.intact)) {
      return { ...finish(ctx, key, progress.chunkSize, good, whole), complete: progress.manifest };
    }
  }
  // A short last chunk is only final if the stream ended there; otherwise it must be rewritten.
  const last = good[good.length - 1];
  if (last && last.size < progress.chunkSize)
    return finish(ctx, key, progress.chunkSize, good.slice(0, -1), beforeLast);
  return finish(ctx, key, progress.chunkSize, good, whole);
}

function finish(
  ctx: IngestContext,
  key: string,
  chunkSize: number,
  chunks: ChunkRef[],
  hash: Hash,
): ResumePoint {
  ctx.resumeHashes.set(key, { signature: signatureOf(chunks), hash });
  const offset = chunks.reduce((sum, c) => sum + c.size, 0);
  return { key, offset, chunkSize, chunks };
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new UsageError('putData needs a non-empty key');
}

/** The whole-stream hash state after `chunks`: from dataResumePoint's cache, else re-read from disk. */
async function hashAfter(ctx: IngestContext, key: string, chunks: readonly ChunkRef[]): Promise<Hash> {
  const cached = ctx.resumeHashes.get(key);
  ctx.resumeHashes.delete(key);
  if (cached && cached.signature === signatureOf(chunks)) return cached.hash;
  const whole = createHash('sha256');
  for (const [i, chunk] of chunks.entries()) {
    const path = blobPath(ctx.dir, chunk.digest);
    const size = await regularFileSize(path);
    const hex = size === chunk.size ? (await hashFile(path, whole)).hex : undefined;
    if (hex === undefined || formatDigest(hex) !== chunk.digest) {
      throw new BundleIntegrityError(
        `committed chunk ${i} of "${key}" (${chunk.digest}) is missing or changed`,
        {
          hint: 'Call dataResumePoint again and resume from the point it returns.',
          details: { key, chunk: i, digest: chunk.digest },
        },
      );
    }
  }
  return whole;
}

async function readOwnManifest(ctx: IngestContext, descriptor: Descriptor): Promise<DataManifest> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(blobPath(ctx.dir, descriptor.digest), 'utf8'));
  } catch (err) {
    throw new BundleIntegrityError(`data manifest ${descriptor.digest} cannot be read`, { cause: err });
  }
  return parseDataManifest(value, descriptor.digest);
}

/**
 * Iterates `source` but stops as soon as `signal` aborts, even while waiting for the next piece
 * (a stalled download must not hold Ctrl-C hostage): the source stream is destroyed, which
 * ends the pending read. No Promise.race against a long-lived promise here: every race would
 * leave a reaction on it that holds its piece of data, and memory would grow with the stream.
 */
async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (!signal) {
    yield* source;
    return;
  }
  signal.throwIfAborted();
  const stream = source as { destroy?: (error?: Error) => void };
  const onAbort = () => {
    if (typeof stream.destroy === 'function') stream.destroy(signal.reason as Error);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const piece of source) {
      signal.throwIfAborted();
      yield piece;
    }
    signal.throwIfAborted();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function writeAll(handle: FileHandle, buf: Uint8Array): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await handle.write(buf, done, buf.length - done);
    done += bytesWritten;
  }
}

export async function putData(
  ctx: IngestContext,
  source: AsyncIterable<Uint8Array | string>,
  options: PutDataOptions,
): Promise<PutDataResult> {
  const { key, resume, signal, onProgress } = options;
  checkKey(key);
  if (resume && resume.key !== key) throw new UsageError(`resume point is for "${resume.key}", not "${key}"`);
  if (resume?.complete) {
    return { descriptor: resume.complete, manifest: await readOwnManifest(ctx, resume.complete) };
  }
  const chunks: ChunkRef[] = [...(resume?.chunks ?? [])];
  const chunkSize =
    chunks.length > 0 && resume ? resume.chunkSize : (options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0)
    throw new UsageError(`invalid chunkSize ${chunkSize}`);
  if (options.chunkSize !== undefined && options.chunkSize !== chunkSize) {
    throw new UsageError(`"${key}" was started with chunkSize ${chunkSize}; resume with the same chunk size`);
  }
  if (chunks.some((c) => c.size !== chunkSize)) {
    throw new UsageError(`resume point for "${key}" does not come from dataResumePoint`);
  }
  const whole = await hashAfter(ctx, key, chunks);
  const keyDir = ingestKeyDir(ctx.dir, key);
  await ensureDir(keyDir);
  const partial = join(keyDir, PARTIAL_FILE);
  let offset = chunks.reduce((sum, c) => sum + c.size, 0);

  let handle: FileHandle | undefined;
  let chunkHash = createHash('sha256');
  let chunkBytes = 0;

  const commitChunk = async (file: FileHandle): Promise<void> => {
    await file.sync();
    const { size } = await file.stat();
    await file.close();
    if (size !== chunkBytes) {
      throw new BundleIntegrityError(`ingest of "${key}": wrote ${size} bytes instead of ${chunkBytes}`);
    }
    const hex = chunkHash.digest('hex');
    const digest = formatDigest(hex);
    const target = blobPath(ctx.dir, digest);
    // Identical data is stored once: an intact blob of the same digest is already this chunk.
    // A damaged one is replaced by the rename, which is atomic, so readers never see half of either.
    if (await isIntactBlob(target, hex, chunkBytes, ctx.intact)) await unlink(partial);
    else {
      await renameDurable(partial, target);
      ctx.intact.add(hex);
    }
    chunks.push({ digest, size: chunkBytes });
    const progress: ProgressFile = { version: 1, key, chunkSize, chunks };
    await writeFileAtomic(join(keyDir, PROGRESS_FILE), canonicalJson(progress));
  };

  if (ctx.active.has(key)) throw new UsageError(`data for "${key}" is already being written`);
  ctx.active.add(key);
  try {
    signal?.throwIfAborted();
    for await (const piece of abortable(source, signal)) {
      let buf: Uint8Array = typeof piece === 'string' ? Buffer.from(piece) : piece;
      while (buf.length > 0) {
        if (!handle) {
          handle = await open(partial, 'w', FILE_MODE);
          chunkHash = createHash('sha256');
          chunkBytes = 0;
        }
        const part = buf.subarray(0, Math.min(chunkSize - chunkBytes, buf.length));
        buf = buf.subarray(part.length);
        await writeAll(handle, part);
        chunkHash.update(part);
        whole.update(part);
        chunkBytes += part.length;
        offset += part.length;
        if (options.expectedSize !== undefined && offset > options.expectedSize) {
          throw new BundleIntegrityError(
            `data for "${key}" runs past its expected ${options.expectedSize} bytes`,
          );
        }
        if (chunkBytes === chunkSize) {
          const full = handle;
          handle = undefined;
          await commitChunk(full);
        }
      }
      onProgress?.({ key, bytes: offset, chunks: chunks.length });
    }
    if (handle) {
      const last = handle;
      handle = undefined;
      await commitChunk(last);
    }
  } catch (err) {
    await handle?.close().catch(() => undefined);
    ctx.active.delete(key);
    if (signal?.aborted) {
      throw new InterruptedError(`writing data for "${key}" was interrupted after ${offset} bytes`, {
        cause: err,
        details: { key, committedBytes: chunks.reduce((sum, c) => sum + c.size, 0) },
      });
    }
    throw err;
  }
  ctx.active.delete(key);
  if (options.expectedSize !== undefined && offset !== options.expectedSize) {
    throw new BundleIntegrityError(
      `data for "${key}" ended after ${offset} bytes; expected ${options.expectedSize}`,
      {
        hint: 'The source stream was cut short; run the export again to resume it.',
        details: { key, size: offset, expectedSize: options.expectedSize },
      },
    );
  }
  const manifest: DataManifest = { size: offset, chunkSize, chunks, sha256: whole.digest('hex') };
  const descriptor = await ctx.putJson(MediaType.dataManifest, manifest);
  const done: ProgressFile = { version: 1, key, chunkSize, chunks, manifest: descriptor };
  await writeFileAtomic(join(keyDir, PROGRESS_FILE), canonicalJson(done));
  return { descriptor, manifest };
}
