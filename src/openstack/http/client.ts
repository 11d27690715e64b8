import { Readable, Transform } from 'node:stream';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import {
  InterruptedError,
  TlsError,
  TransportError,
  errorMessage,
  isDownpourError,
} from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { redact, redactHeaders } from '../../core/redact.js';
import { sleep } from '../../core/sleep.js';
import {
  AuthenticationError,
  HttpError,
  classifyHttpError,
  parseFault,
  parseRetryAfter,
  requestIdOf,
} from './errors.js';
import { defaultRetryPolicy, retryDelay, type RetryPolicy } from './retry.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];
export type Headers = Record<string, string | string[] | undefined>;

/** A streamed request body. `open` is called once per attempt; a one-shot body is never replayed. */
export interface BodySource {
  open: () => Readable;
  length?: number;
  replayable: boolean;
}

export interface HttpRequest {
  method: Method;
  /** Absolute URL. */
  url: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  json?: unknown;
  body?: BodySource;
  /** The statuses that count as success; anything else becomes a typed error. */
  ok: readonly number[];
  /** Safe to send twice. Defaults to true for GET/HEAD/PUT/DELETE, false for POST/PATCH. */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** Service type, for error classification ("compute" 403 may be quota) and counters. */
  service?: string;
  /** Send the token (default true). */
  authenticated?: boolean;
  /** Log the request body at debug level (default true; false for credentials). */
  logBody?: boolean;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  data: T;
  requestId: string | undefined;
}

/** Supplies auth headers; `invalidate` forces the next call to re-authenticate. */
export interface AuthProvider {
  authHeaders(signal?: AbortSignal): Promise<Record<string, string>>;
  invalidate(): void;
}

export interface TlsOptions {
  /** Verify the server certificate (default true). */
  verify?: boolean;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface HttpStats {
  requests: number;
  retries: number;
  reauthentications: number;
  bytesIn: number;
  bytesOut: number;
  byService: Record<string, number>;
}

export interface HttpClientOptions {
  logger?: Logger;
  tls?: TlsOptions;
  retry?: RetryPolicy;
  userAgent?: string;
  /** Replaces the transport (tests replay recorded fixtures through it). */
  dispatcher?: Dispatcher;
  /** Waits between retries (tests use fake time). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * How long a request may wait for the endpoint's next byte: its answer's headers once the
   * request is sent, or the next piece of the body (default 60 s). A silence, not a duration:
   * a long transfer that keeps moving is never cut.
   */
  silenceMs?: number;
}

/** Default silence allowed (see `silenceMs`), and the most a TCP connect may take. */
const SILENCE_MS = 60_000;
const CONNECT_MS = 10_000;

const MAX_ERROR_BODY = 64 * 1024;
const DEBUG_BODY = 2048;
/** How long closing waits for connections to finish before it destroys them. */
const CLOSE_GRACE_MS = 2_000;

export function buildUrl(url: string, query?: Record<string, QueryValue>): string {
  if (!query) return url;
  const u = new URL(url);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value))
      for (const v of value as readonly (string | number)[]) u.searchParams.append(key, String(v));
    else u.searchParams.set(key, String(value));
  }
  return u.toString();
}

function countingStream(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/**
 * The one place that talks HTTP: auth headers, retries with backoff, one re-authentication
 * on 401, typed errors, redacted debug logging, request and byte counters.
 */
export class HttpClient {
  readonly stats: HttpStats = {
    requests: 0,
    retries: 0,
    reauthentications: 0,
    bytesIn: 0,
    bytesOut: 0,
    byService: {},
  };
  readonly logger: Logger;
  private readonly dispatcher: Dispatcher;
  private readonly retryPolicy: RetryPolicy;
  private readonly userAgent: string;
  private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;
  auth: AuthProvider | undefined;

  constructor(options: HttpClientOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.retryPolicy = options.retry ?? defaultRetryPolicy;
    this.userAgent = options.userAgent ?? `downpour node/${process.versions.node}`;
    this.wait = options.sleep ?? sleep;
    const tls = options.tls ?? {};
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connect: {
          rejectUnauthorized: tls.verify !== false,
          ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls.key === undefined ? {} : { key: tls.key }),
        },
        connectTimeout: Math.min(CONNECT_MS, options.silenceMs ?? CONNECT_MS),
        headersTimeout: options.silenceMs ?? SILENCE_MS,
        bodyTimeout: options.silenceMs ?? SILENCE_MS,
        keepAliveTimeout: 4_000,
      });
  }

  async json<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const res = await this.send(req);
    const text = await res.body.text();
    this.stats.bytesIn += Buffer.byteLength(text);
    if (text)
      this.logger.debug(`RESP BODY ${text.length > DEBUG_BODY ? `${text.slice(0, DEBUG_BODY)}…` : text}`);
    let data: unknown = undefined;
    if (text.trim()) {
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new HttpError('E_HTTP_BAD_BODY', 1, {
          method: req.method,
          url: req.url,
          status: res.statusCode,
          requestId: requestIdOf(res.headers),
          fault: `response is not JSON (${errorMessage(err)})`,
        });
      }
    }
    return {
      status: res.statusCode,
      headers: res.headers,
      data: data as T,
      requestId: requestIdOf(res.headers),
    };
  }

  /** The response body as a stream; the caller must consume or destroy it. */
  async stream(req: HttpRequest): Promise<HttpResponse<Readable>> {
    const res = await this.send(req);
    const counted = res.body.pipe(countingStream((n) => (this.stats.bytesIn += n)));
    // A connection that breaks mid-body is a transport failure like one before the response:
    // typed, redacted, and recognisable by callers that resume (image downloads).
    res.body.on('error', (err) =>
      counted.destroy(
        req.signal?.aborted ? err : toTransportError(req.method, buildUrl(req.url, req.query), err),
      ),
    );
    return {
      status: res.statusCode,
      headers: res.headers,
      data: counted,
      requestId: requestIdOf(res.headers),
    };
  }

  /** Send, retry, re-authenticate; resolves only with a success status. */
  private async send(req: HttpRequest): Promise<Dispatcher.ResponseData> {
    const idempotent = req.idempotent ?? ['GET', 'HEAD', 'PUT', 'DELETE'].includes(req.method);
    const url = buildUrl(req.url, req.query);
    let reauthenticated = false;
    let bodyOpened = false;
    const began = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw new InterruptedError();
      const replayable = req.body === undefined || req.body.replayable || !bodyOpened;
      let error: unknown;
      try {
        const headers: Record<string, string> = {
          'user-agent': this.userAgent,
          accept: 'application/json',
          ...(req.json === undefined ? {} : { 'content-type': 'application/json' }),
          ...(req.headers ?? {}),
        };
        if (req.authenticated !== false && this.auth)
          Object.assign(headers, await this.auth.authHeaders(req.signal));
        let body: string | Readable | undefined;
        if (req.json !== undefined) {
          body = JSON.stringify(req.json);
          this.stats.bytesOut += Buffer.byteLength(body);
        } else if (req.body) {
          if (!replayable) throw new Error('unreachable: one-shot body already sent');
          bodyOpened = true;
          const opened = req.body.open();
          const counted = opened.pipe(countingStream((n) => (this.stats.bytesOut += n)));
          // pipe() does not pass errors on: without this a body that fails would stall the request.
          opened.on('error', (err) => counted.destroy(err));
          body = counted;
          if (req.body.length !== undefined) headers['content-length'] = String(req.body.length);
        }
        this.stats.requests++;
        if (req.service) this.stats.byService[req.service] = (this.stats.byService[req.service] ?? 0) + 1;
        this.logger.debug(`REQ ${req.method} ${url} ${JSON.stringify(redactHeaders(headers))}`);
        if (typeof body === 'string' && req.logBody !== false) {
          this.logger.debug(`REQ BODY ${body.length > DEBUG_BODY ? `${body.slice(0, DEBUG_BODY)}…` : body}`);
        }
        const started = Date.now();
        let res: Dispatcher.ResponseData;
        try {
          res = await undiciRequest(url, {
            method: req.method,
            headers,
            body: body ?? null,
            dispatcher: this.dispatcher,
            ...(req.signal ? { signal: req.signal } : {}),
          });
        } catch (err) {
          if (req.signal?.aborted) throw new InterruptedError();
          // Our own body source failed (a damaged bundle blob): that is its error, not the network's.
          if (isDownpourError(err)) throw err;
          throw toTransportError(req.method, url, err);
        }
        const rid = requestIdOf(res.headers);
        this.logger.debug(
          `RESP ${res.statusCode} ${req.method} ${url} in ${Date.now() - started} ms${rid ? ` [${rid}]` : ''}`,
        );
        if (req.ok.includes(res.statusCode)) return res;

        const text = await readLimited(res.body, MAX_ERROR_BODY);
        const contentType = String(res.headers['content-type'] ?? '');
        const failure = classifyHttpError(
          {
            method: req.method,
            url,
            status: res.statusCode,
            requestId: rid,
            fault: parseFault(text, contentType),
            retryAfter: parseRetryAfter(res.headers),
          },
          req.service,
        );
        if (
          failure instanceof AuthenticationError &&
          req.authenticated !== false &&
          this.auth &&
          !reauthenticated
        ) {
          // An expired or revoked token: authenticate once more and replay, as keystoneauth does.
          reauthenticated = true;
          this.auth.invalidate();
          this.stats.reauthentications++;
          this.logger.debug(`401 from ${req.method} ${url}: re-authenticating once`);
          if (req.body === undefined || req.body.replayable) {
            attempt--;
            continue;
          }
        }
        throw failure;
      } catch (err) {
        error = err;
      }
      if (error instanceof InterruptedError) throw error;
      const delay = retryDelay(
        error,
        attempt,
        {
          method: req.method,
          replayable: req.body === undefined || req.body.replayable || !bodyOpened,
          idempotent,
        },
        this.retryPolicy,
      );
      if (delay === undefined) throw error;
      // A total budget too: an endpoint that never answers is reported in minutes, not hours.
      const elapsed = Date.now() - began;
      if (elapsed + delay > (this.retryPolicy.budgetMs ?? Infinity)) {
        if (error instanceof TransportError)
          throw new TransportError(
            error.method,
            error.url,
            `${error.message.slice(error.method.length + error.url.length + 3)}; gave up after ${attempt} attempts in ${Math.round(elapsed / 1000)} s`,
            error.maybeProcessed,
            { cause: error, ...(error.hint ? { hint: error.hint } : {}) },
          );
        throw error;
      }
      this.stats.retries++;
      this.logger.debug(
        `retry ${attempt}/${this.retryPolicy.maxAttempts - 1} of ${req.method} ${url} in ${delay} ms: ${errorMessage(error)}`,
      );
      await this.wait(delay, req.signal);
    }
  }

  /**
   * Close every connection. A response whose body was never read keeps undici's close waiting
   * for good, so after a short grace period the connections are destroyed instead.
   */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
    });
    const closed = await Promise.race([this.dispatcher.close().then(() => 'closed' as const), grace]);
    clearTimeout(timer);
    if (closed === 'late') await this.dispatcher.destroy();
  }
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (size < limit) chunks.push(chunk);
      size += chunk.length;
    }
  } catch {
    // a broken error body still gives us the status
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}

const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** undici's codes for an endpoint that stayed silent too long (connect, headers, body). */
const SILENCE_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function toTransportError(method: string, url: string, err: unknown): TransportError {
  const code = (err as { code?: string } | null)?.code ?? '';
  const causeCode = (err as { cause?: { code?: string } } | null)?.cause?.code ?? '';
  const notSent = NOT_SENT.has(code) || NOT_SENT.has(causeCode);
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(`${code} ${causeCode}`);
  const silent = SILENCE_CODES.has(code) || SILENCE_CODES.has(causeCode);
  const message = silent
    ? `no answer from the endpoint in time (${code || causeCode}): it accepts connections but does not respond`
    : `${errorMessage(err)}${code ? ` (${code})` : ''}`;
  return new (tls ? TlsError : TransportError)(method, url, message, !notSent, {
    cause: err,
    hint: tls
      ? 'TLS verification failed: set cacert in clouds.yaml (or OS_CACERT) to the CA that signed the endpoint, or insecure: true to skip verification.'
      : silent
        ? 'Check that the service behind this address runs and is not overloaded; api_timeout in clouds.yaml (seconds) sets how long a request may wait for a byte.'
        : notSent
          ? 'The endpoint could not be reached: check auth_url and the catalog endpoints, and that this machine can reach them.'
          : 'The connection broke; run the command again to resume.',
  });
}

/** Stream helpers for callers that upload from a buffer or a file. */
export function bufferBody(buf: Buffer): BodySource {
  return { open: () => Readable.from([buf]), length: buf.length, replayable: true };
}

export { redact };
