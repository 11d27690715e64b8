import { HttpError, RateLimitedError, ServerError } from './errors.js';
import { TlsError, TransportError } from '../../core/errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After we are willing to honour before giving up. */
  maxRetryAfterMs: number;
  /** No retry starts once this much time has gone since the first attempt. */
  budgetMs?: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  budgetMs: 120_000,
};

export interface RetryContext {
  method: string;
  /** Can the request be sent again? False once a one-shot stream body has been (partly) sent. */
  replayable: boolean;
  /** Is sending it twice harmless? GET/HEAD/PUT/DELETE are; POST is unless the caller says so. */
  idempotent: boolean;
}

/**
 * Decide whether a failed attempt is retried, and after how long. Quota refusals
 * (Nova 403, Cinder/Glance 413, Neutron 409) are never retried: they are not HttpErrors
 * of the retryable classes. `attempt` counts from 1.
 */
export function retryDelay(
  error: unknown,
  attempt: number,
  ctx: RetryContext,
  policy: RetryPolicy = defaultRetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts || !ctx.replayable) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(backoff / 2 + (random() * backoff) / 2);
  if (error instanceof RateLimitedError || (error instanceof ServerError && error.status === 503)) {
    if (error.retryAfter !== undefined) {
      const ms = error.retryAfter * 1000;
      return ms > policy.maxRetryAfterMs ? undefined : Math.max(ms, 50);
    }
    return jittered;
  }
  if (error instanceof ServerError) {
    // 502/504 come from a proxy in front of the service: the request did not reach it.
    // A 500 may have half-done the work, so only idempotent requests are repeated.
    if (error.status === 502 || error.status === 504 || ctx.idempotent) return jittered;
    return undefined;
  }
  if (error instanceof HttpError || error instanceof TlsError) return undefined;
  if (error instanceof TransportError) {
    if (!error.maybeProcessed || ctx.idempotent) return jittered;
    return undefined;
  }
  return undefined;
}
