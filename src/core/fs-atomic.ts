/**
 * Durable, atomic file replacement (restic's `Save`): temp file in the same directory, write,
 * check the size, fsync, close, rename, fsync the directory to commit the rename. A crash at any
 * point leaves either the old file or the new one, never half of one.
 *
 * Bundles may hold private data (disk images, keys in user data), so everything is created
 * owner-only: files 0600, directories 0700.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BundleIntegrityError } from './errors.js';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Creates a directory (and missing parents) owner-only; an existing one keeps its mode. */
export async function ensureDir(path: string): Promise<void> {
  const created = await mkdir(path, { recursive: true, mode: DIR_MODE });
  // mkdir's mode is filtered by the umask; chmod the one we created so a lax umask cannot widen it.
  if (created !== undefined) await chmod(path, DIR_MODE);
}

/**
 * Makes a rename or a new file in `dir` survive a power cut. Some platforms (Windows) cannot open
 * or fsync a directory; there the rename is as durable as the OS makes it and we carry on.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw err;
  } finally {
    await handle?.close();
  }
}

/** A temp name beside `target`, dot-prefixed so listings of `blobs/sha256/` can skip it. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** rename + fsync of the target directory: the commit step of every atomic write. */
export async function renameDurable(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncDir(dirname(to));
}

export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // Best effort: the temp file may never have been created.
  }
}

/** Writes `data` to `path` atomically and durably, mode 0600. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const temp = tempPathFor(path);
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
      const { size } = await handle.stat();
      if (size !== bytes.byteLength) {
        throw new BundleIntegrityError(`wrote ${size} bytes to ${path} instead of ${bytes.byteLength}`);
      }
    } finally {
      // Close before rename: Windows refuses to rename an open file.
      await handle.close();
    }
    await renameDurable(temp, path);
  } catch (err) {
    await removeQuietly(temp);
    throw err;
  }
}
