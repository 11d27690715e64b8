/**
 * A small writer of HCL native syntax, laid out the way `terraform fmt` lays it out: two-space
 * indents, and the `=` of consecutive one-line arguments aligned, a run being broken by a
 * comment, a nested block or an argument whose value spans lines. Only what the Terraform
 * renderer needs: strings, numbers, booleans, null, raw expressions, lists, objects, blocks.
 */

/** An expression written as is: a reference (`var.cloud`) or a template (`"${path.module}/x"`). */
export class HclExpr {
  constructor(readonly text: string) {}
}

export const expr = (text: string): HclExpr => new HclExpr(text);

export type HclValue = string | number | boolean | null | HclExpr | HclValue[] | HclObject;
export interface HclObject {
  readonly [key: string]: HclValue;
}

export interface HclBlock {
  type: string;
  labels: string[];
  body: HclItem[];
}

export type HclItem =
  { attr: string; value: HclValue } | { block: HclBlock } | { comment: string } | { blank: true };

export const attr = (name: string, value: HclValue): HclItem => ({ attr: name, value });
export const block = (type: string, labels: string[], body: HclItem[]): HclItem => ({
  block: { type, labels, body },
});
export const comment = (text: string): HclItem => ({ comment: text });
export const blank: HclItem = { blank: true };

/** Lists longer than this on one line are written one element per line. */
const LIST_WIDTH = 100;

/** A quoted HCL string: escapes, and `${`/`%{` doubled so they stay literal text. */
export function quote(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `"${out.replace(/([$%])\{/g, '$1$1{')}"`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if']);

/** An object key: bare when HCL reads it as the same string, else quoted. */
const objectKey = (key: string) => (IDENTIFIER.test(key) && !KEYWORDS.has(key) ? key : quote(key));

const isObject = (v: HclValue): v is HclObject =>
  typeof v === 'object' && v !== null && !(v instanceof HclExpr) && !Array.isArray(v);

/** The value on one line, or undefined when it must span lines. */
function inline(value: HclValue): string | undefined {
  if (value === null) return 'null';
  if (value instanceof HclExpr) return value.text;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`HCL has no number ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.map(inline);
    if (items.some((i) => i === undefined)) return undefined;
    const text = `[${items.join(', ')}]`;
    return text.length <= LIST_WIDTH ? text : undefined;
  }
  return Object.keys(value).length === 0 ? '{}' : undefined;
}

/** Lines of a value that spans lines, the first one following `key = `. */
function multiline(value: HclValue, indent: string): string[] {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const lines = ['['];
    for (const item of value) {
      const one = inline(item);
      if (one !== undefined) lines.push(`${inner}${one},`);
      else {
        const [first, ...rest] = multiline(item, inner);
        lines.push(`${inner}${first}`, ...rest.slice(0, -1), `${rest.at(-1) ?? ''},`);
      }
    }
    lines.push(`${indent}]`);
    return lines;
  }
  if (!isObject(value)) throw new Error('only lists and objects span lines');
  const entries = Object.entries(value).map(([k, v]) => ({ attr: objectKey(k), value: v }));
  return ['{', ...bodyLines(entries, inner), `${indent}}`];
}

/** A body's lines, aligning the `=` of each run of one-line arguments. */
function bodyLines(items: HclItem[], indent: string): string[] {
  const lines: string[] = [];
  let run: { name: string; text: string }[] = [];
  const flush = () => {
    const width = Math.max(...run.map((r) => r.name.length));
    for (const r of run) lines.push(`${indent}${r.name.padEnd(width)} = ${r.text}`);
    run = [];
  };
  for (const item of items) {
    if ('attr' in item) {
      const one = inline(item.value);
      if (one !== undefined) {
        run.push({ name: item.attr, text: one });
        continue;
      }
      flush();
      const [first, ...rest] = multiline(item.value, indent);
      lines.push(`${indent}${item.attr} = ${first}`, ...rest);
      continue;
    }
    if (run.length) flush();
    if ('comment' in item) lines.push(...item.comment.split('\n').map((c) => `${indent}# ${c}`.trimEnd()));
    else if ('blank' in item) lines.push('');
    else lines.push(...blockLines(item.block, indent));
  }
  if (run.length) flush();
  return lines;
}

function blockLines(b: HclBlock, indent: string): string[] {
  const head = [b.type, ...b.labels.map(quote)].join(' ');
  if (b.body.length === 0) return [`${indent}${head} {}`];
  return [`${indent}${head} {`, ...bodyLines(b.body, `${indent}  `), `${indent}}`];
}

/** A whole file: top-level items, ending in one newline. */
export function hclFile(items: HclItem[]): string {
  return `${bodyLines(items, '').join('\n')}\n`;
}
