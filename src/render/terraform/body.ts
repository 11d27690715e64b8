/** Building block bodies from exported documents: optional arguments are left out, not written empty. */
import { attr, block, type HclItem, type HclValue } from '../hcl.js';

export class Body {
  readonly items: HclItem[] = [];

  /** `name = value`, unless the value is undefined. */
  set(name: string, value: HclValue | undefined): this {
    if (value !== undefined) this.items.push(attr(name, value));
    return this;
  }

  block(type: string, body: Body | HclItem[]): this {
    this.items.push(block(type, [], body instanceof Body ? body.items : body));
    return this;
  }

  comment(text: string): this {
    this.items.push({ comment: text });
    return this;
  }

  blank(): this {
    this.items.push({ blank: true });
    return this;
  }
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A string worth writing: empty descriptions are the API's default. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** A non-empty list of strings, else undefined. */
export function strings(v: unknown, keep: (s: string) => boolean = () => true): string[] | undefined {
  const out = list<unknown>(v).filter((s): s is string => typeof s === 'string' && keep(s));
  return out.length ? out : undefined;
}

/** A non-empty string map with sorted keys, else undefined. */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([k, value]): [string, string] => [k, typeof value === 'string' ? value : JSON.stringify(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The source's own tags, without the provenance tags Downpour writes on what it imports. */
export const ownTags = (v: unknown): string[] | undefined => strings(v, (t) => !t.startsWith('downpour:'));
