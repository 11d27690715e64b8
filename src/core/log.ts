import { redact } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where library code reports what it is doing. Every line is redacted before it leaves. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function streamLogger(
  write: (line: string) => void,
  level: LogLevel = 'info',
  prefix = 'downpour',
): Logger {
  const at = (l: LogLevel) => (message: string) => {
    if (ORDER[l] >= ORDER[level]) write(`${prefix} ${l}: ${redact(message)}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Collects redacted lines in memory (tests, reports). */
export function memoryLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    streamLogger((l) => lines.push(l), level),
    { lines },
  );
}
