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
  const success = new Set(table.success.map((s) => s.toLowerCase()));
  const failure = new Set(table.failure.map((s) => s.toLowerCase()));
  const wanted = table.success.join('/');
  return poll(
    options,
    async () => {
      const seen = await observe();
      if (seen.value === undefined)
        throw new ResourceFailedError(`${table.what} disappeared while waiting for ${wanted}`);
      options.onStatus?.(seen.status);
      const status = seen.status.toLowerCase();
      if (success.has(status)) return { done: seen.value };
      if (failure.has(status)) {
        throw new ResourceFailedError(
          `${table.what} reached status ${seen.status}${seen.reason ? `: ${seen.reason}` : ''}`,
          { details: { status: seen.status } },
        );
      }
      return { pending: seen.status };
    },
    (last, seconds) =>
      new WaitTimeoutError(`${table.what} still ${last} after ${seconds} s (waiting for ${wanted})`, {
        hint: 'The cloud may be slow or stuck; run the same command again to resume.',
      }),
  );
}

/** Poll until `observe` returns undefined (gone). */
export async function waitForDeletion(
  what: string,
  observe: () => Promise<{ status: string } | undefined>,
  options: WaitOptions = {},
): Promise<void> {
  await poll(
    options,
    async () => {
      const seen = await observe();
      if (seen === undefined) return { done: undefined };
      if (/error/i.test(seen.status) && !/deleting/i.test(seen.status)) {
        throw new ResourceFailedError(`${what} reached status ${seen.status} while being deleted`);
      }
      return { pending: seen.status };
    },
    (last, seconds) => new WaitTimeoutError(`${what} still ${last} after ${seconds} s of deletion`),
  );
}

/**
 * The one polling loop: `step` either finishes or names the status it is still in; the interval
 * grows by half each poll up to `maxIntervalMs`, and the wait gives up before passing the deadline.
 */
async function poll<T>(
  options: WaitOptions,
  step: () => Promise<{ done: T } | { pending: string }>,
  timeout: (lastStatus: string, seconds: number) => Error,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const maxInterval = options.maxIntervalMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  let interval = options.intervalMs ?? 500;
  for (;;) {
    const result = await step();
    if ('done' in result) return result.done;
    if (Date.now() + interval > deadline) throw timeout(result.pending, Math.round(timeoutMs / 1000));
    await sleep(interval, options.signal);
    interval = Math.min(maxInterval, Math.round(interval * 1.5));
  }
}
