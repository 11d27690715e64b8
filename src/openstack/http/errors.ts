import { DownpourError, ExitCode, type ErrorOptions } from '../../core/errors.js';
import { redact } from '../../core/redact.js';

export interface HttpErrorInit {
  method: string;
  url: string;
  status: number;
  requestId?: string | undefined;
  /** The message the service put in its fault body, if any. */
  fault?: string | undefined;
  /** Seconds from a Retry-After style header, if any. */
  retryAfter?: number | undefined;
}

/** A response whose status the request did not list as success. Classified once, in `classifyHttpError`. */
export class HttpError extends DownpourError {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly fault: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(code: string, exitCode: ExitCode, init: HttpErrorInit, options: ErrorOptions = {}) {
    const url = redact(init.url);
    const fault = init.fault === undefined ? undefined : redact(init.fault);
    const rid = init.requestId ? ` [${init.requestId}]` : '';
    super(
      code,
      exitCode,
      `${init.method} ${url} returned ${init.status}${fault ? `: ${fault}` : ''}${rid}`,
      options,
    );
    this.method = init.method;
    this.url = url;
    this.status = init.status;
    this.requestId = init.requestId;
    this.fault = fault;
    this.retryAfter = init.retryAfter;
  }
}

export class BadRequestError extends HttpError {}
/** 401 after one re-authentication, or a refused token request: credentials are wrong or expired. */
export class AuthenticationError extends HttpError {}
/** 403 that is not a quota refusal: policy forbids it. */
export class ForbiddenError extends HttpError {}
export class NotFoundError extends HttpError {}
/** 409 that is not a quota refusal: a state conflict or a duplicate. */
export class ConflictError extends HttpError {}
/** Quota exceeded (Nova 403, Cinder/Glance 413, Neutron 409): never retried. */
export class QuotaExceededError extends HttpError {}
/** 413 that is not quota: too large. */
export class TooLargeError extends HttpError {}
/** 429 or 498: the cloud asks us to slow down. */
export class RateLimitedError extends HttpError {}
/** 406 from a microversion header out of range, 501 and similar. */
export class NotAcceptableError extends HttpError {}
export class ServerError extends HttpError {}

const QUOTA_TEXT = /quota|overlimit|over limit|exceeded|maximum number|limit of/i;

/** Pull the human message out of any OpenStack fault body shape (Nova/Cinder wrapper, Neutron, Keystone, Glance HTML). */
export function parseFault(body: string, contentType = ''): string | undefined {
  const text = body.trim();
  if (!text) return undefined;
  if (contentType.includes('json') || text.startsWith('{')) {
    try {
      const doc = JSON.parse(text) as unknown;
      const found = findMessage(doc, 0);
      if (found) return found;
    } catch {
      // not JSON after all
    }
  }
  // Glance and uwsgi answer with small HTML pages: strip tags, keep the words.
  const stripped = text
    .replace(/<head>[\s\S]*<\/head>/i, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return stripped.slice(0, 500) || undefined;
}

function findMessage(doc: unknown, depth: number): string | undefined {
  if (depth > 3 || doc === null || typeof doc !== 'object') return undefined;
  const record = doc as Record<string, unknown>;
  for (const key of ['message', 'faultstring', 'detail', 'title']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) {
      const type = typeof record['type'] === 'string' ? `${record['type']}: ` : '';
      // webob (Glance, Cinder) puts HTML line breaks into JSON messages.
      const message = value
        .replace(/<br\s*\/?>/gi, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      return `${type}${message}`;
    }
  }
  for (const value of Object.values(record)) {
    const found = findMessage(value, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Seconds to wait from Retry-After (seconds or HTTP date) and the rate-limit middlewares' variants. */
export function parseRetryAfter(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  for (const name of ['retry-after', 'x-retry-after', 'x-ratelimit-retry-after']) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === '') continue;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, seconds);
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, (date - now) / 1000);
  }
  return undefined;
}

export function requestIdOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  for (const name of ['x-openstack-request-id', 'x-compute-request-id', 'openstack-request-id']) {
    const v = headers[name];
    const value = Array.isArray(v) ? v[0] : v;
    if (value) return value;
  }
  return undefined;
}

/** One place that turns a non-success status into a typed error. */
export function classifyHttpError(
  init: HttpErrorInit,
  service: string | undefined,
  options: ErrorOptions = {},
): HttpError {
  const { status } = init;
  const quotaText = init.fault !== undefined && QUOTA_TEXT.test(init.fault);
  const quotaHint = {
    hint: 'The project is out of quota: free resources or ask the operator for more, then run the command again.',
    ...options,
  };
  if (status === 401) {
    return new AuthenticationError('E_HTTP_UNAUTHORIZED', ExitCode.auth, init, {
      hint: 'Check the credentials in clouds.yaml (or OS_* variables) and that the user has a role on the project.',
      ...options,
    });
  }
  if (status === 403) {
    if (service === 'compute' && quotaText)
      return new QuotaExceededError('E_QUOTA', ExitCode.preflight, init, quotaHint);
    return new ForbiddenError('E_HTTP_FORBIDDEN', ExitCode.auth, init, {
      hint: "The cloud's policy does not let this user do that; ask the operator, or leave that resource out of the selection.",
      ...options,
    });
  }
  if (status === 413) {
    if (quotaText || service === 'block-storage' || /quota|storage/i.test(init.fault ?? ''))
      return new QuotaExceededError('E_QUOTA', ExitCode.preflight, init, quotaHint);
    return new TooLargeError('E_HTTP_TOO_LARGE', ExitCode.unexpected, init, options);
  }
  if (status === 409) {
    if (service === 'network' && /quota|OverQuota/i.test(init.fault ?? ''))
      return new QuotaExceededError('E_QUOTA', ExitCode.preflight, init, quotaHint);
    return new ConflictError('E_HTTP_CONFLICT', ExitCode.unexpected, init, options);
  }
  if (status === 429 || status === 498)
    return new RateLimitedError('E_HTTP_RATE_LIMITED', ExitCode.unexpected, init, options);
  if (status === 404) return new NotFoundError('E_HTTP_NOT_FOUND', ExitCode.unexpected, init, options);
  if (status === 400) return new BadRequestError('E_HTTP_BAD_REQUEST', ExitCode.unexpected, init, options);
  if (status === 406)
    return new NotAcceptableError('E_HTTP_NOT_ACCEPTABLE', ExitCode.preflight, init, options);
  if (status >= 500) return new ServerError('E_HTTP_SERVER', ExitCode.unexpected, init, options);
  return new HttpError('E_HTTP', ExitCode.unexpected, init, options);
}

export const isNotFound = (err: unknown): err is NotFoundError => err instanceof NotFoundError;
export const isConflict = (err: unknown): err is ConflictError => err instanceof ConflictError;
export const isQuota = (err: unknown): err is QuotaExceededError => err instanceof QuotaExceededError;
