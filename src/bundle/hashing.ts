import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Reads in 1 MiB pieces: few syscalls, and memory stays flat whatever the file size. */
export const READ_HIGH_WATER_MARK = 1024 * 1024;

/**
 * SHA-256 and length of a file, streamed. `alsoUpdate` receives the same bytes, which is how a
 * resumed write rebuilds the whole-stream hash from the chunks already on disk.
 */
export async function hashFile(path: string, alsoUpdate?: Hash): Promise<{ size: number; hex: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of createReadStream(path, { highWaterMark: READ_HIGH_WATER_MARK })) {
    const buf = piece as Buffer;
    hash.update(buf);
    alsoUpdate?.update(buf);
    size += buf.length;
  }
  return { size, hex: hash.digest('hex') };
}

/** Size of a regular file, or undefined when there is none (missing, or something else sits there). */
export async function regularFileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ENOENT' ||
      (err as NodeJS.ErrnoException).code === 'ENOTDIR'
    ) {
      return undefined;
    }
    throw err;
  }
}

/**
 * Whether the blob at `path` is present with exactly this size and SHA-256. Dedupe depends on
 * it: skipping a write because "the blob is already there" must not keep a damaged copy.
 * `known` remembers blobs already proven in this session, so repeated chunks (the zero blocks of
 * a raw disk) are read back once, not once per repeat.
 */
export async function isIntactBlob(
  path: string,
  hex: string,
  size: number,
  known: Set<string>,
): Promise<boolean> {
  if ((await regularFileSize(path)) !== size) return false;
  if (known.has(hex)) return true;
  const actual = await hashFile(path);
  if (actual.size !== size || actual.hex !== hex) return false;
  known.add(hex);
  return true;
}
