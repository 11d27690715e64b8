/**
 * `downpour pack`: a committed bundle directory as one deterministic .tar, for carrying. Each file
 * is streamed through (never held whole); the archive is written to `<tar>.partial` and renamed
 * only once complete and fsync'd, so a half-written archive never carries the final name.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BundleIntegrityError, UsageError } from '../core/errors.js';
import { DIR_MODE, FILE_MODE, removeQuietly, renameDurable } from '../core/fs-atomic.js';
import { READ_HIGH_WATER_MARK } from './hashing.js';
import { BLOBS_DIR, BLOBS_SHA256_DIR, FORMAT_FILE, INDEX_FILE } from './layout.js';
import { openBundle } from './reader.js';
import { encodeTarHeader, TAR_END, tarPadding } from './tar.js';

export interface PackProgress {
  readonly files: number;
  readonly bytes: number;
  readonly totalFiles: number;
}

export interface PackOptions {
  readonly onProgress?: ((progress: PackProgress) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

type Entry = { path: string; type: 'directory' } | { path: string; type: 'file'; source: string };

/**
 * Marker and index first (a streaming reader learns the format before anything else), then the
 * blob directories and blobs in sorted order. `ingest/` and anything unknown are left out.
 */
async function entriesOf(dir: string): Promise<Entry[]> {
  const blobsDir = join(dir, ...BLOBS_SHA256_DIR.split('/'));
  const names = (await readdir(blobsDir)).filter((n) => /^[a-f0-9]{64}$/.test(n)).sort();
  return [
    { path: FORMAT_FILE, type: 'file', source: join(dir, FORMAT_FILE) },
    { path: INDEX_FILE, type: 'file', source: join(dir, INDEX_FILE) },
    { path: BLOBS_DIR, type: 'directory' },
    { path: BLOBS_SHA256_DIR, type: 'directory' },
    ...names.map((n): Entry => ({
      path: `${BLOBS_SHA256_DIR}/${n}`,
      type: 'file',
      source: join(blobsDir, n),
    })),
  ];
}

async function* archive(entries: Entry[], options: PackOptions): AsyncGenerator<Buffer> {
  let files = 0;
  let bytes = 0;
  for (const entry of entries) {
    if (entry.type === 'directory') {
      yield encodeTarHeader(entry.path, 0, 'directory', DIR_MODE);
      continue;
    }
    const info = await stat(entry.source);
    if (!info.isFile()) continue;
    yield encodeTarHeader(entry.path, info.size, 'file', FILE_MODE);
    let written = 0;
    for await (const piece of createReadStream(entry.source, { highWaterMark: READ_HIGH_WATER_MARK })) {
      const buf = piece as Buffer;
      written += buf.length;
      // The header already promised info.size bytes; a file that grows would corrupt the archive.
      if (written > info.size) break;
      yield buf;
    }
    if (written !== info.size) {
      throw new BundleIntegrityError(`${entry.source} changed size while being packed`);
    }
    yield tarPadding(info.size);
    files++;
    bytes += info.size;
    options.onProgress?.({ files, bytes, totalFiles: entries.length - 2 });
  }
  yield TAR_END;
}

/** Packs the committed bundle at `dir` into `tarPath`. Refuses an uncommitted or unreadable bundle. */
export async function packBundle(
  dir: string,
  tarPath: string,
  options: PackOptions = {},
): Promise<{ files: number; bytes: number }> {
  const reader = await openBundle(dir);
  if (reader.kind !== 'directory') throw new UsageError(`${dir} is already a .tar; pack a bundle directory`);
  const entries = await entriesOf(dir);
  const partial = `${tarPath}.partial`;
  let files = 0;
  let bytes = 0;
  try {
    await pipeline(
      archive(entries, {
        ...options,
        onProgress: (p) => {
          files = p.files;
          bytes = p.bytes;
          options.onProgress?.(p);
        },
      }),
      createWriteStream(partial, { mode: FILE_MODE }),
      options.signal ? { signal: options.signal } : {},
    );
    const handle = await open(partial, 'r+');
    try {
      await handle.chmod(FILE_MODE);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameDurable(partial, tarPath);
  } catch (err) {
    await removeQuietly(partial);
    throw err;
  }
  return { files, bytes };
}
