import { redact } from '../core/redact.js';

/** Where a command writes: human text on a terminal, JSON with --json. */
export interface Output {
  json: boolean;
  /** stdout is a terminal (progress bars and colour allowed). */
  tty: boolean;
  out(text: string): void;
  err(text: string): void;
}

export function processOutput(json: boolean): Output {
  return {
    json,
    tty: Boolean(process.stdout.isTTY) && !json,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(redact(text.endsWith('\n') ? text : `${text}\n`)),
  };
}

/** A plain text table: headers, then rows, columns padded to the widest cell. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | number | undefined)[])[],
): string {
  const cells = rows.map((r) => headers.map((_, i) => (r[i] === undefined ? '' : String(r[i]))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function printJson(output: Output, value: unknown): void {
  output.out(redact(JSON.stringify(value, null, 2)));
}
