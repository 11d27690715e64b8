/**
 * The writing side of a bundle: a content-addressed, write-once blob store with `index.json` as
 * the commit point (restic's write ordering: data, then documents, then the index last). A crash
 * at any moment leaves the previous commit intact and the partial work resumable.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleIntegrityError, UsageError } from '../core/errors.js';
import { ensureDir, writeFileAtomic } from '../core/fs-atomic.js';
import { isIntactBlob, regularFileSize } from './hashing.js';
import {
  dataResumePoint,
  putData,
  type IngestContext,
  type PutDataOptions,
  type PutDataResult,
  type ResumePoint,
} from './ingest.js';
import {
  BLOBS_SHA256_DIR,
  blobPath,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  canonicalJson,
  formatDigest,
  FORMAT_FILE,
  INDEX_FILE,
  INDEX_SCHEMA_VERSION,
  INGEST_DIR,
  sha256Hex,
  type BundleIndex,
  type Descriptor,
} from './layout.js';
import { isDescriptor, parseFormatMarker, parseIndex } from './schema.js';

export interface OpenWriterOptions {
  /** Clock for `createdAt`/`updatedAt` (tests). */
  readonly now?: (() => Date) | undefined;
}

/**
 * Before the first commit there is no index.json to hold the bundle id, yet the id must not change
 * when a killed first export is run again (source temporaries are tagged with it). It waits here.
 */
const PENDING_FILE = 'pending.json';

async function readJsonFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function prepareDirectory(dir: string): Promise<void> {
  let isNew = false;
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) {
      throw new UsageError(
        `${dir} is a file; export into a directory, then \`downpour pack\` it into a .tar`,
      );
    }
    const entries = await readdir(dir);
    if (entries.includes(FORMAT_FILE)) {
      parseFormatMarker((await readJsonFile(join(dir, FORMAT_FILE))) ?? '', dir);
    } else if (entries.length > 0) {
      throw new UsageError(`${dir} exists and is not a Downpour bundle; refusing to write into it`, {
        hint: 'Choose a new path, or an existing bundle to add to.',
      });
    } else {
      isNew = true;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    isNew = true;
  }
  if (isNew) {
    await ensureDir(dir);
    // The marker comes first so that even a bundle killed in its first second is recognisable.
    await writeFileAtomic(
      join(dir, FORMAT_FILE),
      `${canonicalJson({ format: BUNDLE_FORMAT, version: BUNDLE_FORMAT_VERSION })}\n`,
    );
  }
  await ensureDir(join(dir, ...BLOBS_SHA256_DIR.split('/')));
  await ensureDir(join(dir, INGEST_DIR));
}

async function bundleIdentity(
  dir: string,
  now: () => Date,
): Promise<{ id: string; createdAt: string; previous?: BundleIndex }> {
  const indexText = await readJsonFile(join(dir, INDEX_FILE));
  if (indexText !== undefined) {
    const previous = parseIndex(indexText, dir);
    return { id: previous.bundleId, createdAt: previous.createdAt, previous };
  }
  const pendingPath = join(dir, INGEST_DIR, PENDING_FILE);
  const pendingText = await readJsonFile(pendingPath);
  if (pendingText !== undefined) {
    try {
      const pending = JSON.parse(pendingText) as { bundleId?: unknown; createdAt?: unknown };
      if (typeof pending.bundleId === 'string' && typeof pending.createdAt === 'string') {
        return { id: pending.bundleId, createdAt: pending.createdAt };
      }
    } catch {
      // Unreadable: fall through and choose a new identity (nothing was committed under the old one).
    }
  }
  const fresh = { bundleId: randomUUID(), createdAt: now().toISOString() };
  await writeFileAtomic(pendingPath, canonicalJson(fresh));
  return { id: fresh.bundleId, createdAt: fresh.createdAt };
}

export class BundleWriter {
  readonly dir: string;
  readonly bundleId: string;
  readonly createdAt: string;
  #committed: BundleIndex | undefined;
  readonly #now: () => Date;
  readonly #ingest: IngestContext;

  private constructor(
    dir: string,
    id: string,
    createdAt: string,
    previous: BundleIndex | undefined,
    now: () => Date,
  ) {
    this.dir = dir;
    this.bundleId = id;
    this.createdAt = createdAt;
    this.#committed = previous;
    this.#now = now;
    this.#ingest = {
      dir,
      putJson: (mediaType, value) => this.putJson(mediaType, value),
      intact: new Set<string>(),
      active: new Set<string>(),
    };
  }

  /**
   * Opens a bundle directory for writing, creating it if needed. An existing bundle keeps its id
   * and blobs: a second export adds only what is missing and commits a new index.
   */
  static async open(dir: string, options: OpenWriterOptions = {}): Promise<BundleWriter> {
    const now = options.now ?? (() => new Date());
    await prepareDirectory(dir);
    const { id, createdAt, previous } = await bundleIdentity(dir, now);
    return new BundleWriter(dir, id, createdAt, previous, now);
  }

  /** The index of the last commit, if there was one. */
  get committed(): BundleIndex | undefined {
    return this.#committed;
  }

  async has(digest: string): Promise<boolean> {
    return (await regularFileSize(blobPath(this.dir, digest))) !== undefined;
  }

  /** Stores a small blob held in memory. A blob already present with the right size is not rewritten. */
  async putBlob(mediaType: string, bytes: Uint8Array): Promise<Descriptor> {
    if (typeof mediaType !== 'string' || mediaType.length === 0)
      throw new UsageError('a blob needs a media type');
    const hex = sha256Hex(bytes);
    const digest = formatDigest(hex);
    const target = blobPath(this.dir, digest);
    // Write-once, except that a damaged blob under this name is replaced (atomically) by the real one.
    if (!(await isIntactBlob(target, hex, bytes.byteLength, this.#ingest.intact))) {
      await writeFileAtomic(target, bytes);
      this.#ingest.intact.add(hex);
    }
    return { mediaType, digest, size: bytes.byteLength };
  }

  /** Stores a JSON document in canonical form, so equal documents share one blob. */
  async putJson(mediaType: string, value: unknown): Promise<Descriptor> {
    return this.putBlob(mediaType, Buffer.from(canonicalJson(value), 'utf8'));
  }

  /** Streams large data into fixed-size chunks plus a data manifest blob; see ingest.ts. */
  async putData(source: AsyncIterable<Uint8Array | string>, options: PutDataOptions): Promise<PutDataResult> {
    return putData(this.#ingest, source, options);
  }

  /** Where an interrupted `putData` for `key` can restart: committed chunks, re-verified on disk. */
  async dataResumePoint(key: string): Promise<ResumePoint> {
    return dataResumePoint(this.#ingest, key);
  }

  /**
   * Makes `root` the bundle's content: writes index.json by atomic rename (the one moment the
   * bundle changes for a reader), then drops `ingest/`, whose partial work is no longer needed.
   */
  async commit(root: Descriptor, annotations: Readonly<Record<string, string>> = {}): Promise<BundleIndex> {
    if (!isDescriptor(root)) throw new UsageError('commit needs the descriptor of the root document');
    const size = await regularFileSize(blobPath(this.dir, root.digest));
    if (size !== root.size) {
      throw new BundleIntegrityError(
        `cannot commit: root blob ${root.digest} is missing or has the wrong size`,
        {
          details: { digest: root.digest, expected: root.size, actual: size ?? null },
        },
      );
    }
    const index: BundleIndex = {
      schemaVersion: INDEX_SCHEMA_VERSION,
      bundleId: this.bundleId,
      createdAt: this.createdAt,
      updatedAt: this.#now().toISOString(),
      root: { mediaType: root.mediaType, digest: root.digest, size: root.size },
      annotations: { ...annotations },
    };
    await writeFileAtomic(join(this.dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
    this.#committed = index;
    await rm(join(this.dir, INGEST_DIR), { recursive: true, force: true });
    return index;
  }
}
