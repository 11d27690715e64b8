/**
 * The moving parts of `putData`: bytes are copied into shared slots, written to the chunk's
 * partial file and hashed on worker threads at the same time, and a full chunk is sealed
 * (fdatasync, size check) and handed to `commit` in the background while the next chunk
 * streams in. Commits run one at a time and in order, so the progress file only ever lists a
 * prefix of the stream. Memory is the ring, whatever the stream's size.
 */
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleIntegrityError } from '../core/errors.js';
import { FILE_MODE } from '../core/fs-atomic.js';
import { HashThread, SlotRing } from './hash-threads.js';
import { formatDigest, type ChunkRef } from './layout.js';

/** 8 slots of 1 MiB: hash messages big enough to cost little each, 8 MiB in all. */
const SLOT_SIZE = 1024 * 1024;
const SLOT_COUNT = 8;
/**
 * Writes of at most 256 KiB: on the local cloud's VM, writes of 1 to 2 MiB into the page cache
 * often cost several times more system time per byte; below this the syscall count shows.
 */
const WRITE_SIZE = 256 * 1024;
/** Sealed chunks waiting for their commit while the next one streams: bounds dirty pages and open files. */
const MAX_SEALING = 2;

const PARTIAL_SUFFIX = '.partial';

export interface SealedChunk {
  /** The partial file, synced and closed: rename it into the blob store or drop it. */
  readonly partial: string;
  readonly hex: string;
  readonly size: number;
}

export interface PipelineOptions {
  readonly keyDir: string;
  readonly chunkSize: number;
  /** Index of the first chunk written by this pipeline (after the resumed ones). */
  readonly firstChunk: number;
  /** Digests of the whole stream besides SHA-256 (e.g. `sha512`). */
  readonly alsoHash: readonly string[];
  readonly commit: (chunk: SealedChunk) => Promise<void>;
}

export interface StreamDigests {
  /** Algorithm -> hex digest of the whole stream, `sha256` always included. */
  readonly [algorithm: string]: string;
}

interface OpenChunk {
  readonly index: number;
  readonly path: string;
  readonly handle: Promise<FileHandle>;
  /**
   * The writes of this chunk so far. Positional, so they run side by side: one at a time, each
   * waiting for the event loop between two writes, they took several times longer under load.
   */
  readonly writes: Promise<void>[];
  bytes: number;
}

/**
 * Lanes: `chunk` (SHA-256 of the current chunk, restarted at each chunk), `whole` (SHA-256 of
 * the stream) and one per extra algorithm, spread over two threads so that the slowest hash
 * (SHA-512 runs at about half the speed of SHA-256 with SHA extensions) has a core of its own.
 */
class StreamHashes {
  readonly #threads: readonly { thread: HashThread; lanes: string[] }[];
  readonly #chunkThread: HashThread;
  readonly #wholeThread: HashThread;
  readonly #alsoThread: HashThread;
  readonly #also: readonly string[];

  private constructor(first: HashThread, second: HashThread, also: readonly string[]) {
    this.#also = also;
    this.#chunkThread = first;
    this.#alsoThread = second;
    if (also.length === 0) {
      this.#wholeThread = second;
      this.#threads = [
        { thread: first, lanes: ['chunk'] },
        { thread: second, lanes: ['whole'] },
      ];
    } else {
      this.#wholeThread = first;
      this.#threads = [
        { thread: first, lanes: ['chunk', 'whole'] },
        { thread: second, lanes: also.map((a) => `also:${a}`) },
      ];
    }
    this.#opened = Promise.all([
      this.#chunkThread.open('chunk', 'sha256'),
      this.#wholeThread.open('whole', 'sha256'),
      ...also.map((a) => this.#alsoThread.open(`also:${a}`, a)),
    ]);
    this.#opened.catch(() => undefined);
  }

  readonly #opened: Promise<unknown>;

  /** The threads start in the background: bytes are taken (and queued for them) meanwhile. */
  static start(ring: SlotRing, also: readonly string[]): StreamHashes {
    return new StreamHashes(new HashThread(ring), new HashThread(ring), also);
  }

  /** Resolves (or fails) only when every thread is done with the bytes, so the slot can be reused. */
  async update(offset: number, length: number): Promise<void> {
    const results = await Promise.allSettled([
      this.#opened,
      ...this.#threads.map((t) => t.thread.update(t.lanes, offset, length)),
    ]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  /** The current chunk's SHA-256; the lane restarts for the next chunk. */
  chunkDigest(): Promise<string> {
    return this.#chunkThread.digest('chunk', 'sha256');
  }

  async finish(): Promise<StreamDigests> {
    const [sha256, ...also] = await Promise.all([
      this.#wholeThread.digest('whole'),
      ...this.#also.map((a) => this.#alsoThread.digest(`also:${a}`)),
    ]);
    const digests: Record<string, string> = { sha256: sha256 ?? '' };
    this.#also.forEach((a, i) => (digests[a] = also[i] ?? ''));
    return digests;
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((t) => t.thread.close()));
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const length = Math.min(bytes.length - done, WRITE_SIZE);
    const { bytesWritten } = await handle.write(bytes, done, length, position + done);
    done += bytesWritten;
  }
}

const ignore = () => undefined;

export class ChunkPipeline {
  readonly #options: PipelineOptions;
  readonly #ring: SlotRing;
  readonly #hashes: StreamHashes;
  #slot: number | undefined;
  #fill = 0;
  #chunk: OpenChunk | undefined;
  #nextChunk: number;
  /** The last commit in line; each waits for the one before it. */
  #commits: Promise<void> = Promise.resolve();
  readonly #sealing: Promise<void>[] = [];
  /** Writes, hash updates and commits not yet finished, and the first of them to fail. */
  readonly #inFlight = new Set<Promise<unknown>>();
  #failure: { error: unknown } | undefined;

  private constructor(options: PipelineOptions, ring: SlotRing, hashes: StreamHashes) {
    this.#options = options;
    this.#ring = ring;
    this.#hashes = hashes;
    this.#nextChunk = options.firstChunk;
  }

  static async start(options: PipelineOptions): Promise<ChunkPipeline> {
    await removePartials(options.keyDir);
    const ring = new SlotRing(SLOT_SIZE, SLOT_COUNT);
    return new ChunkPipeline(options, ring, StreamHashes.start(ring, options.alsoHash));
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    promise.then(
      () => this.#inFlight.delete(promise),
      (error: unknown) => {
        this.#inFlight.delete(promise);
        this.#failure ??= { error };
      },
    );
    return promise;
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }

  /**
   * Feeds a committed chunk of an earlier run through the whole-stream hashes, so they cover the
   * stream from byte 0. With `verify`, its SHA-256 is checked too (a resume point from another
   * process may be stale).
   */
  async replay(path: string, chunk: ChunkRef, index: number, key: string, verify: boolean): Promise<void> {
    const handle = await open(path, 'r');
    try {
      let position = 0;
      for (;;) {
        this.#throwIfFailed();
        const slot = await this.#ring.acquire();
        const { bytesRead } = await handle
          .read(this.#ring.bytes, slot * this.#ring.slotSize, this.#ring.slotSize, position)
          .catch((err: unknown) => {
            this.#ring.release(slot);
            throw err;
          });
        if (bytesRead === 0) {
          this.#ring.release(slot);
          break;
        }
        position += bytesRead;
        void this.#track(
          this.#hashes.update(slot * this.#ring.slotSize, bytesRead).finally(() => this.#ring.release(slot)),
        ).catch(ignore);
      }
      const hex = await this.#hashes.chunkDigest();
      if (verify && (position !== chunk.size || formatDigest(hex) !== chunk.digest)) {
        throw new BundleIntegrityError(
          `committed chunk ${index} of "${key}" (${chunk.digest}) is missing or changed`,
          {
            hint: 'Call dataResumePoint again and resume from the point it returns.',
            details: { key, chunk: index, digest: chunk.digest },
          },
        );
      }
    } finally {
      await handle.close();
    }
  }

  /** Takes `bytes` into the stream; waits only when every slot is busy (the backpressure). */
  async write(bytes: Uint8Array): Promise<void> {
    const { chunkSize } = this.#options;
    const slotSize = this.#ring.slotSize;
    let rest = bytes;
    while (rest.length > 0) {
      this.#throwIfFailed();
      this.#slot ??= await this.#ring.acquire();
      this.#chunk ??= this.#openChunk();
      const n = Math.min(rest.length, slotSize - this.#fill, chunkSize - this.#chunk.bytes);
      this.#ring.bytes.set(rest.subarray(0, n), this.#slot * slotSize + this.#fill);
      this.#fill += n;
      this.#chunk.bytes += n;
      rest = rest.subarray(n);
      const chunkFull = this.#chunk.bytes === chunkSize;
      if (this.#fill === slotSize || chunkFull) this.#dispatch();
      if (chunkFull) await this.#endChunk();
    }
  }

  /** The stream ended: the last chunk is sealed and committed, and the whole-stream digests returned. */
  async end(): Promise<StreamDigests> {
    this.#throwIfFailed();
    if (this.#fill > 0) this.#dispatch();
    if (this.#chunk) await this.#endChunk();
    if (this.#slot !== undefined) this.#ring.release(this.#slot);
    this.#slot = undefined;
    await this.#commits;
    await Promise.all(this.#inFlight);
    this.#throwIfFailed();
    return this.#hashes.finish();
  }

  /**
   * After a failure or an abort: chunks already complete still get committed (a rerun resumes
   * after them), the partial one is left for the next run to overwrite, the threads stop.
   */
  async abandon(): Promise<void> {
    await Promise.allSettled([...this.#inFlight, this.#commits]);
    const open = this.#chunk;
    this.#chunk = undefined;
    if (open) await (await open.handle.catch(() => undefined))?.close().catch(ignore);
    await this.close();
  }

  async close(): Promise<void> {
    await this.#hashes.close();
  }

  #openChunk(): OpenChunk {
    const index = this.#nextChunk++;
    const path = join(this.#options.keyDir, `chunk-${index}${PARTIAL_SUFFIX}`);
    const handle = this.#track(open(path, 'w', FILE_MODE));
    handle.catch(ignore);
    return { index, path, handle, writes: [], bytes: 0 };
  }

  /** The current slot goes to the disk and to the hashes; it comes back when both are done with it. */
  #dispatch(): void {
    const slot = this.#slot as number;
    const chunk = this.#chunk as OpenChunk;
    const length = this.#fill;
    this.#slot = undefined;
    this.#fill = 0;
    const offset = slot * this.#ring.slotSize;
    const position = chunk.bytes - length;
    const view = this.#ring.bytes.subarray(offset, offset + length);
    const written = chunk.handle.then((handle) => writeAll(handle, view, position));
    chunk.writes.push(written);
    // The slot is reused only when both readers are done with it, even if one of them failed.
    const done = Promise.allSettled([written, this.#hashes.update(offset, length)]).then((results) => {
      this.#ring.release(slot);
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    });
    void this.#track(done).catch(ignore);
  }

  async #endChunk(): Promise<void> {
    const chunk = this.#chunk as OpenChunk;
    this.#chunk = undefined;
    const digest = this.#hashes.chunkDigest();
    digest.catch(ignore);
    const sealed = (async (): Promise<SealedChunk> => {
      const handle = await chunk.handle;
      try {
        for (const r of await Promise.allSettled(chunk.writes)) if (r.status === 'rejected') throw r.reason;
        // The one fsync a chunk needs: its bytes are on disk before its name says what they are.
        await handle.datasync();
        const { size } = await handle.stat();
        if (size !== chunk.bytes) {
          throw new BundleIntegrityError(
            `chunk ${chunk.index}: wrote ${size} bytes instead of ${chunk.bytes}`,
          );
        }
      } finally {
        await handle.close();
      }
      return { partial: chunk.path, hex: await digest, size: chunk.bytes };
    })();
    sealed.catch(ignore);
    const before = this.#commits;
    const committed = (async () => {
      const ready = await sealed;
      await before;
      await this.#options.commit(ready);
    })();
    this.#commits = this.#track(committed);
    this.#commits.catch(ignore);
    this.#sealing.push(this.#commits);
    while (this.#sealing.length > MAX_SEALING) await this.#sealing.shift();
  }
}

/** Partial chunks of an earlier, killed run: they are written again from the resume point. */
async function removePartials(keyDir: string): Promise<void> {
  for (const name of await readdir(keyDir).catch(() => [] as string[])) {
    if (name.endsWith(PARTIAL_SUFFIX)) await unlink(join(keyDir, name)).catch(ignore);
  }
}
