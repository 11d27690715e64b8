/**
 * One run at a time on what it changes: a lock file made with O_EXCL, holding who holds it.
 * A second run reads the holder and refuses, naming it; the lock of a process that is gone (on
 * this host: its pid no longer runs, or runs another program) is taken over. A holder on
 * another host cannot be checked from here, so the error says how to clear it by hand.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { DownpourError, ExitCode } from './errors.js';

/** How long a lock file may be seen half written before it counts as left by a killed run. */
const HALF_WRITTEN_MS = 5_000;

export interface LockHolder {
  host: string;
  pid: number;
  /** The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for the holder. */
  processStart: string | undefined;
  since: string;
  command: string;
}

/** Another run holds the lock: exit 7, naming the holder. */
export class LockedError extends DownpourError {
  readonly holder: LockHolder;

  constructor(what: string, path: string, holder: LockHolder) {
    const where =
      holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
    super(
      'E_LOCKED',
      ExitCode.locked,
      `another run holds ${what}: ${holder.command} (${where}, since ${holder.since})`,
      {
        hint:
          holder.host === hostname()
            ? 'Wait for it to finish, or stop it; then run this command again.'
            : `Wait for it to finish. If that process is gone, delete ${path} and run this command again.`,
        details: { lock: path, holder },
      },
    );
    this.holder = holder;
  }
}

/** The start time of a live process in clock ticks, or undefined when it does not run (or cannot be read). */
function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true; // cannot know: assume it runs
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStartOf(holder.pid);
  if (holder.processStart === undefined || start === undefined) return true;
  return start === holder.processStart;
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return {
      host: parsed.host,
      pid: parsed.pid,
      processStart: typeof parsed.processStart === 'string' ? parsed.processStart : undefined,
      since: typeof parsed.since === 'string' ? parsed.since : 'an unknown time',
      command: typeof parsed.command === 'string' ? parsed.command : 'downpour',
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Not whole: being written this very moment by a run that has just taken it, or left half
    // written by a run killed at that moment. A moment later, only the second can be.
    const age = await stat(path).then(
      (st) => Date.now() - st.mtimeMs,
      () => Infinity,
    );
    return {
      host: hostname(),
      pid: age > HALF_WRITTEN_MS ? -1 : process.pid,
      processStart: undefined,
      since: 'a moment ago',
      command: 'downpour',
    };
  }
}

/** How long a takeover may hold its own short lock before that counts as left by a killed run. */
const TAKEOVER_STALE_MS = 10_000;

/** Remove the lock at `path` if it still is `stale`'s, holding `path.takeover` meanwhile. */
async function removeStale(path: string, stale: LockHolder): Promise<void> {
  const mutex = `${path}.takeover`;
  let file;
  try {
    file = await open(mutex, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = await stat(mutex).then(
      (st) => Date.now() - st.mtimeMs,
      () => 0,
    );
    if (age > TAKEOVER_STALE_MS) await unlink(mutex).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    return;
  }
  try {
    const now = await readHolder(path);
    if (now && (sameHolder(now, stale) || (now.pid === -1 && stale.pid === -1)))
      await unlink(path).catch(() => undefined);
  } finally {
    await file.close();
    await unlink(mutex).catch(() => undefined);
  }
}

const sameHolder = (a: LockHolder | undefined, b: LockHolder) =>
  !!a && a.host === b.host && a.pid === b.pid && a.since === b.since;

export class RunLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
  ) {}

  /**
   * Take the lock at `path` for `command`, or throw LockedError naming who has it. `what` names
   * the locked thing in the error ("bundle shop.bundle").
   */
  static async acquire(path: string, what: string, command: string): Promise<RunLock> {
    const me: LockHolder = {
      host: hostname(),
      pid: process.pid,
      processStart: processStartOf(process.pid),
      since: new Date().toISOString(),
      command,
    };
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const file = await open(path, 'wx', 0o600);
        try {
          await file.writeFile(`${JSON.stringify(me)}\n`);
          await file.sync();
        } finally {
          await file.close();
        }
        return new RunLock(path, me);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readHolder(path);
      if (!holder) continue; // released meanwhile
      if (holder.pid !== -1 && isAlive(holder)) throw new LockedError(what, path, holder);
      // A dead holder's lock goes, under a short-lived second lock, so that of several runs
      // doing this at once only one removes it, and never a live lock taken meanwhile.
      await removeStale(path, holder);
    }
    const holder = await readHolder(path);
    if (holder) throw new LockedError(what, path, holder);
    throw new DownpourError('E_LOCK', ExitCode.unexpected, `could not take the lock ${path}`);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const now = await readHolder(this.path);
    if (sameHolder(now, this.holder)) await unlink(this.path).catch(() => undefined);
  }
}

/** Run `body` holding the lock at `path`; the lock goes when it ends, however it ends. */
export async function withRunLock<T>(
  path: string,
  what: string,
  command: string,
  body: () => Promise<T>,
): Promise<T> {
  const lock = await RunLock.acquire(path, what, command);
  try {
    return await body();
  } finally {
    await lock.release();
  }
}
