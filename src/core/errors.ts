import { redact } from './redact.js';

/**
 * Exit codes, one per class of failure. The CLI maps errors to these in one place;
 * library callers can read `exitCode` from any DownpourError.
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  partial: 3,
  preflight: 4,
  auth: 5,
  integrity: 6,
  /** Another run holds the bundle (export) or the bundle and destination (import, destroy). */
  locked: 7,
  /** The disk under the bundle or its state ran full; what was written is kept. */
  noSpace: 8,
  /** An endpoint cannot be reached (refused, no answer, no such host) or is not what it should be. */
  unreachable: 9,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorOptions {
  cause?: unknown;
  /** What the user can do about it: one sentence, shown after the message. */
  hint?: string;
  details?: Record<string, unknown>;
}

/** The root of every error Downpour raises on purpose. Messages are redacted when built. */
export class DownpourError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: string, exitCode: ExitCode, message: string, options: ErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
    this.details = options.details ?? {};
  }

  /** A JSON-safe, redacted view for `--json` output and logs. */
  toJSON(): Record<string, unknown> {
    return {
      error: this.name,
      code: this.code,
      exitCode: this.exitCode,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(Object.keys(this.details).length
        ? { details: JSON.parse(redact(JSON.stringify(this.details))) as unknown }
        : {}),
    };
  }
}

/** Flags, arguments or input files that cannot be used as given. */
export class UsageError extends DownpourError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('E_USAGE', ExitCode.usage, message, options);
  }
}

/** clouds.yaml, secure.yaml or OS_* variables that do not describe a usable cloud. */
export class ConfigError extends DownpourError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('E_CONFIG', ExitCode.usage, message, options);
  }
}

/** The cloud lacks an API, extension, microversion or permission that the operation needs. */
export class UnsupportedError extends DownpourError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('E_UNSUPPORTED', ExitCode.preflight, message, options);
  }
}

/** A network-level failure: refused, reset, timed out, TLS. */
export class TransportError extends DownpourError {
  readonly method: string;
  readonly url: string;
  /** True when the request may have reached the server (so a non-idempotent replay could duplicate it). */
  readonly maybeProcessed: boolean;
  constructor(
    method: string,
    url: string,
    message: string,
    maybeProcessed: boolean,
    options: ErrorOptions = {},
  ) {
    super('E_TRANSPORT', ExitCode.unreachable, `${method} ${redact(url)}: ${message}`, options);
    this.method = method;
    this.url = redact(url);
    this.maybeProcessed = maybeProcessed;
  }
}

/** The server's certificate was refused: the same request would be refused again, so it is never retried. */
export class TlsError extends TransportError {}

/** A waiter saw the resource reach a failure state, or vanish. */
export class ResourceFailedError extends DownpourError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('E_RESOURCE_FAILED', ExitCode.unexpected, message, options);
  }
}

/** A waiter gave up. */
export class WaitTimeoutError extends DownpourError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('E_WAIT_TIMEOUT', ExitCode.unexpected, message, options);
  }
}

/** The operation was cancelled (Ctrl-C, SIGTERM, AbortSignal). State already written is kept. */
export class InterruptedError extends DownpourError {
  constructor(message = 'interrupted', options: ErrorOptions = {}) {
    super('E_INTERRUPTED', ExitCode.interrupted, message, options);
  }
}

/** A bundle blob, archive or index that is missing, truncated, tampered with or malformed. */
export class BundleIntegrityError extends DownpourError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('E_BUNDLE_INTEGRITY', ExitCode.integrity, message, options);
  }
}

/** A bundle written in a format (or format version) this Downpour does not know. */
export class BundleFormatError extends DownpourError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('E_BUNDLE_FORMAT', ExitCode.integrity, message, options);
  }
}

export function isDownpourError(err: unknown): err is DownpourError {
  return err instanceof DownpourError;
}

/** A short, redacted message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return redact(err.message);
  return redact(String(err));
}
