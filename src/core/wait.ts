import { ResourceFailedError, WaitTimeoutError } from './errors.js';
import { sleep } from './sleep.js';

export interface StatusTable {
  /** What is being waited for, for messages: "volume 1234". */
  what: string;
  /** Statuses that end the wait successfully (compared case-insensitively). */
  success: readonly string[];
  /** Statuses that end it with a failure. Anything else means "keep waiting". */
  failure: readonly string[];
}

export interface WaitOptions {
  timeoutMs?: number;
  /** First poll interval; grows by half each poll up to `maxIntervalMs`. */
  intervalMs?: number;
  maxIntervalMs?: number;
  signal?: AbortSignal;
  /** Called with each observed status (progress display). */
  onStatus?: (status: string) => void;
}

export interface Observation<T> {
  /** undefined: the resource is gone. */
  value: T | undefined;
  status: string;
  /** A reason to show when the status is a failure (Nova fault, Cinder status reason). */
  reason?: string;
}

/**
 * Poll `observe` until the status is in `table.success`; fail fast on a failure status or
 * when the resource disappears, instead of polling until the deadline.
 */
export async function waitForStatus<T>(
  table: StatusTable,
  observe: () => Promise<Observation<T>>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const maxInterval = options.maxIntervalMs ?? 5_000;
  let interval = options.intervalMs ?? 500;
  const deadline = Date.now() + timeoutMs;
  const success = new Set(table.success.map((s) => s.toLowerCase()));
  const failure = new Set(table.failure.map((s) => s.toLowerCase()));
  for (;;) {
    const seen = await observe();
    if (seen.value === undefined) {
      throw new ResourceFailedError(`${table.what} disappeared while waiting for ${table.success.join('/')}`);
    }
    const last = seen.status;
    options.onStatus?.(last);
    const status = last.toLowerCase();
    if (success.has(status)) return seen.value;
    if (failure.has(status)) {
      throw new ResourceFailedError(
        `${table.what} reached status ${last}${seen.reason ? `: ${seen.reason}` : ''}`,
        { details: { status: last } },
      );
    }
    if (Date.now() + interval > deadline) {
      throw new WaitTimeoutError(
        `${table.what} still ${last} after ${Math.round(timeoutMs / 1000)} s (waiting for ${table.success.join('/')})`,
        { hint: 'The cloud may be slow or stuck; run the same command again to resume.' },
      );
    }
    await sleep(interval, options.signal);
    interval = Math.min(maxInterval, Math.round(interval * 1.5));
  }
}

/** Poll until `observe` returns undefined (gone). */
export async function waitForDeletion(
  what: string,
  observe: () => Promise<{ status: string } | undefined>,
  options: WaitOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const deadline = Date.now() + timeoutMs;
  let interval = options.intervalMs ?? 500;
  for (;;) {
    const seen = await observe();
    if (seen === undefined) return;
    if (/error/i.test(seen.status) && !/deleting/i.test(seen.status)) {
      throw new ResourceFailedError(`${what} reached status ${seen.status} while being deleted`);
    }
    if (Date.now() + interval > deadline) {
      throw new WaitTimeoutError(
        `${what} still ${seen.status} after ${Math.round(timeoutMs / 1000)} s of deletion`,
      );
    }
    await sleep(interval, options.signal);
    interval = Math.min(options.maxIntervalMs ?? 5_000, Math.round(interval * 1.5));
  }
}
