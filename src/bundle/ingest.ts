/**
 * Large data into the bundle, containerd-style: bytes go to a partial file per chunk in
 * `ingest/<key>/`, hashed on the way, and each full chunk is fsync'd and renamed to
 * `blobs/sha256/<hex>`. After every committed chunk, `ingest/<key>/progress.json` lists the
 * chunks so far, so a killed export can restart its download at the end of the last committed
 * chunk (HTTP Range) instead of at zero. The bytes flow through chunk-pipeline.ts: hashing on
 * worker threads and each chunk's fsync overlap the download of what follows.
 *
 * Memory stays flat: the pipeline holds a fixed ring of slots, and the source is only read on
 * when a slot is free (that wait is the backpressure); nothing holds a whole chunk.
 */
import { getHashes } from 'node:crypto';
import { readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleIntegrityError, InterruptedError, UsageError } from '../core/errors.js';
import { ensureDir, renameDurable, writeFileAtomic } from '../core/fs-atomic.js';
import { ChunkPipeline, type SealedChunk, type StreamDigests } from './chunk-pipeline.js';
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
  /** Digests of the whole stream to compute besides SHA-256 (e.g. the source's own `sha512`). */
  readonly alsoHash?: readonly string[] | undefined;
  /**
   * Called with the whole stream's digests before it is recorded as complete. If it throws,
   * the key's progress is forgotten (the next run reads the source afresh) and the error passed on.
   */
  readonly check?: ((digests: StreamDigests) => void) | undefined;
}

export interface PutDataResult {
  readonly descriptor: Descriptor;
  readonly manifest: DataManifest;
  /**
   * Algorithm -> hex of the whole stream: `sha256` and what `alsoHash` asked for. Only `sha256`
   * when the data was already complete (its check ran when it was written).
   */
  readonly digests: StreamDigests;
}

/** What the writer lends to the data path. */
export interface IngestContext {
  readonly dir: string;
  putJson(mediaType: string, value: unknown): Promise<Descriptor>;
  /** Hex digests of blobs proven intact on disk during this session. */
  readonly intact: Set<string>;
  /** Keys being written now: two writers of one key would share its partial files. */
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
  const good: ChunkRef[] = [];
  for (const chunk of progress.chunks) {
    const path = blobPath(ctx.dir, chunk.digest);
    const expectedHex = parseDigest(chunk.digest);
    // What we learn here overrides what this session believed: the damaged chunk must be rewritten.
    ctx.intact.delete(expectedHex);
    if ((await regularFileSize(path)) !== chunk.size) break;
    if ((await hashFile(path)).hex !== expectedHex) break;
    ctx.intact.add(expectedHex);
    good.push(chunk);
  }
  if (progress.manifest && good.length === progress.chunks.length) {
    const { digest, size } = progress.manifest;
    if (await isIntactBlob(blobPath(ctx.dir, digest), parseDigest(digest), size, ctx.intact)) {
      return { ...resumeAt(key, progress.chunkSize, good), complete: progress.manifest };
    }
  }
  // A short last chunk is only final if the stream ended there; otherwise it must be rewritten.
  const last = good[good.length - 1];
  if (last && last.size < progress.chunkSize) return resumeAt(key, progress.chunkSize, good.slice(0, -1));
  return resumeAt(key, progress.chunkSize, good);
}

function resumeAt(key: string, chunkSize: number, chunks: ChunkRef[]): ResumePoint {
  const offset = chunks.reduce((sum, c) => sum + c.size, 0);
  return { key, offset, chunkSize, chunks };
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new UsageError('putData needs a non-empty key');
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

/** Algorithms to hash the stream with besides SHA-256, refused early when this Node lacks one. */
function extraAlgorithms(requested: readonly string[] | undefined): string[] {
  const known = new Set(getHashes());
  const extra = [...new Set(requested ?? [])].filter((a) => a !== 'sha256');
  for (const a of extra) if (!known.has(a)) throw new UsageError(`unknown hash algorithm "${a}"`);
  return extra;
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
    const manifest = await readOwnManifest(ctx, resume.complete);
    return { descriptor: resume.complete, manifest, digests: { sha256: manifest.sha256 } };
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
  const alsoHash = extraAlgorithms(options.alsoHash);
  const keyDir = ingestKeyDir(ctx.dir, key);
  await ensureDir(keyDir);
  let offset = chunks.reduce((sum, c) => sum + c.size, 0);

  /** Runs in the background, one chunk at a time and in order: the chunk becomes a blob, then is listed. */
  const commit = async ({ partial, hex, size }: SealedChunk): Promise<void> => {
    const digest = formatDigest(hex);
    const target = blobPath(ctx.dir, digest);
    // Identical data is stored once: an intact blob of the same digest is already this chunk.
    // A damaged one is replaced by the rename, which is atomic, so readers never see half of either.
    if (await isIntactBlob(target, hex, size, ctx.intact)) await unlink(partial);
    else {
      await renameDurable(partial, target);
      ctx.intact.add(hex);
    }
    chunks.push({ digest, size });
    const progress: ProgressFile = { version: 1, key, chunkSize, chunks };
    await writeFileAtomic(join(keyDir, PROGRESS_FILE), canonicalJson(progress));
  };

  if (ctx.active.has(key)) throw new UsageError(`data for "${key}" is already being written`);
  ctx.active.add(key);
  let digests: StreamDigests;
  try {
    const pipeline = await ChunkPipeline.start({
      keyDir,
      chunkSize,
      firstChunk: chunks.length,
      alsoHash,
      commit,
    });
    try {
      // The whole-stream hashes start from byte 0: what an earlier run committed is read back.
      for (const [i, chunk] of [...chunks].entries()) {
        const verified = ctx.intact.has(parseDigest(chunk.digest));
        await pipeline.replay(blobPath(ctx.dir, chunk.digest), chunk, i, key, !verified);
      }
      signal?.throwIfAborted();
      for await (const piece of abortable(source, signal)) {
        const buf: Uint8Array = typeof piece === 'string' ? Buffer.from(piece) : piece;
        if (options.expectedSize !== undefined && offset + buf.length > options.expectedSize) {
          throw new BundleIntegrityError(
            `data for "${key}" runs past its expected ${options.expectedSize} bytes`,
          );
        }
        await pipeline.write(buf);
        offset += buf.length;
        onProgress?.({ key, bytes: offset, chunks: chunks.length });
      }
      digests = await pipeline.end();
    } catch (err) {
      await pipeline.abandon();
      throw err;
    }
    await pipeline.close();
  } catch (err) {
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
  if (options.check) {
    try {
      options.check(digests);
    } catch (err) {
      // Forget what was stored under this key so that the next run reads the source afresh.
      await rm(keyDir, { recursive: true, force: true });
      throw err;
    }
  }
  const manifest: DataManifest = { size: offset, chunkSize, chunks, sha256: digests['sha256'] ?? '' };
  const descriptor = await ctx.putJson(MediaType.dataManifest, manifest);
  const done: ProgressFile = { version: 1, key, chunkSize, chunks, manifest: descriptor };
  await writeFileAtomic(join(keyDir, PROGRESS_FILE), canonicalJson(done));
  return { descriptor, manifest, digests };
}
