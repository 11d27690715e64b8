import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/core/errors.js';
import { LockedError, RunLock, withRunLock } from '../../../src/core/run-lock.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dp-lock-'));
  path = join(dir, 'run.lock');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const holderFile = (holder: Record<string, unknown>) => writeFile(path, JSON.stringify(holder));

/** A pid that ran and is gone. */
function deadPid(): number {
  const child = spawnSync('true');
  return child.pid;
}

describe('run lock', () => {
  it('refuses a second run while the first holds it, naming the holder, with exit 7', async () => {
    const first = await RunLock.acquire(path, 'bundle shop.bundle', 'downpour export into shop.bundle');
    const second = RunLock.acquire(path, 'bundle shop.bundle', 'downpour export into shop.bundle');
    await expect(second).rejects.toBeInstanceOf(LockedError);
    const err = (await second.catch((e: unknown) => e)) as LockedError;
    expect(err.exitCode).toBe(ExitCode.locked);
    expect(err.message).toContain(
      `another run holds bundle shop.bundle: downpour export into shop.bundle (process ${process.pid}, since `,
    );
    expect(err.holder).toMatchObject({ host: hostname(), pid: process.pid });
    await first.release();
    const third = await RunLock.acquire(path, 'bundle shop.bundle', 'downpour export');
    await third.release();
  });

  it('takes over the lock of a process that is gone', async () => {
    await holderFile({
      host: hostname(),
      pid: deadPid(),
      since: '2026-01-01T00:00:00Z',
      command: 'downpour import',
    });
    const lock = await RunLock.acquire(path, 'it', 'downpour import');
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('takes over the lock of a pid that now runs another process (its start time differs)', async () => {
    await holderFile({ host: hostname(), pid: process.pid, processStart: '1', since: 'then', command: 'x' });
    const lock = await RunLock.acquire(path, 'it', 'downpour import');
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock file a killed run left half written, but not one being written this moment', async () => {
    await writeFile(path, '{"host": "x", "pi');
    await expect(RunLock.acquire(path, 'it', 'downpour import')).rejects.toBeInstanceOf(LockedError);
    const past = new Date(Date.now() - 60_000);
    await utimes(path, past, past);
    const lock = await RunLock.acquire(path, 'it', 'downpour import');
    await lock.release();
  });

  it('does not take over the lock of another host, and says how to clear it', async () => {
    await holderFile({
      host: 'elsewhere.example',
      pid: 4242,
      since: '2026-01-01T00:00:00Z',
      command: 'downpour import',
    });
    const err = (await RunLock.acquire(path, 'it', 'downpour import').catch(
      (e: unknown) => e,
    )) as LockedError;
    expect(err).toBeInstanceOf(LockedError);
    expect(err.message).toContain('process 4242 on elsewhere.example');
    expect(err.hint).toContain(`delete ${path}`);
  });

  it('is released when the work ends, also when it fails, and never removes a lock that is not its own', async () => {
    await expect(withRunLock(path, 'it', 'x', () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    const lock = await RunLock.acquire(path, 'it', 'x');
    await holderFile({ host: 'elsewhere.example', pid: 1, since: 'now', command: 'y' });
    await lock.release();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ host: 'elsewhere.example' });
  });

  it('lets exactly one of many runs starting together over a dead lock through', async () => {
    await holderFile({ host: hostname(), pid: deadPid(), since: 'then', command: 'x' });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => RunLock.acquire(path, 'it', 'x')),
    );
    // one process here, so every contender has the same pid: the holder is live after the first
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof LockedError)).toHaveLength(7);
  });
});
