/** The filesystem a path is on, and what is free there: for errors that say where space ran out. */
import { readFileSync } from 'node:fs';
import { realpath, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DownpourError, ExitCode } from './errors.js';
import { formatBytes } from './progress.js';

export interface Filesystem {
  /** Where it is mounted (Linux), else the path itself. */
  mountPoint: string;
  freeBytes: number | undefined;
}

/** The nearest existing folder at or above `path`, resolved. */
async function existingAbove(path: string): Promise<string> {
  let p = resolve(path);
  for (;;) {
    try {
      return await realpath(p);
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

export async function filesystemOf(path: string): Promise<Filesystem> {
  const real = await existingAbove(path);
  let mountPoint = real;
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
      .filter((m): m is string => !!m && (real === m || real.startsWith(m.endsWith('/') ? m : `${m}/`)));
    mountPoint = mounts.sort((a, b) => b.length - a.length)[0] ?? real;
  } catch {
    // not Linux: the path itself names the place
  }
  const freeBytes = await statfs(real).then(
    (s) => s.bavail * s.bsize,
    () => undefined,
  );
  return { mountPoint, freeBytes };
}

export const isNoSpace = (err: unknown): boolean =>
  (err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC' ||
  (err as NodeJS.ErrnoException | undefined)?.code === 'EDQUOT';

/** The disk under a bundle or state folder is full: exit 8, naming it and what was needed. */
export class NoSpaceError extends DownpourError {
  constructor(what: string, path: string, fs: Filesystem, neededBytes: number | undefined, cause: unknown) {
    const free = fs.freeBytes === undefined ? '' : `, ${formatBytes(fs.freeBytes)} free`;
    const needed = neededBytes === undefined ? '' : `; ${what} needed ${formatBytes(neededBytes)} more`;
    super(
      'E_NO_SPACE',
      ExitCode.noSpace,
      `the filesystem of ${path} (mounted at ${fs.mountPoint}) is full${free}${needed}`,
      {
        hint: 'Free space there, or move the bundle to a larger filesystem, and run the same command again: what is written is kept and not fetched again.',
        cause,
        details: { path, mountPoint: fs.mountPoint, freeBytes: fs.freeBytes, neededBytes },
      },
    );
  }

  static async of(
    what: string,
    path: string,
    neededBytes: number | undefined,
    cause: unknown,
  ): Promise<NoSpaceError> {
    return new NoSpaceError(what, path, await filesystemOf(path), neededBytes, cause);
  }
}
