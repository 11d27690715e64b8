/**
 * Bundle documents: each kind declares its document once, as a valibot schema that gives both
 * the TypeScript type (`DocumentOf<S>`) and the check a bundle reader runs on every document.
 * A field the schema does not name passes the check and stays in the document (the check never
 * rewrites it), so a bundle written by a newer export with one more field still reads; a field
 * the schema names must have its type.
 */
import * as v from 'valibot';
import { BundleFormatError } from '../core/errors.js';

export { v };

// The schema type of a document: an object schema, loose or strict, with any entries.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DocumentSchema = v.GenericSchema<any, Record<string, unknown>>;
export type DocumentOf<S extends DocumentSchema> = v.InferOutput<S>;

/** A field OpenStack may leave out or send as null: both read as "no value". */
export const maybe = <S extends v.GenericSchema>(schema: S) => v.nullish(schema);

/** Neutron tags, Nova tags, Glance tags. */
export const tags = maybe(v.array(v.string()));
/** Free-form key/value metadata (Nova, Cinder). */
export const metadata = maybe(v.record(v.string(), v.string()));

/** `fixed_ips[0].subnet_id`, the way a reader of the document would write the place. */
function fieldPath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key: unknown = item.key;
    out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  }
  return out || '(the document itself)';
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  // An absent required field: valibot names the expected key rather than the expected type.
  if (issue.received === 'undefined' && issue.expected?.startsWith('"'))
    return `field ${fieldPath(issue)}: missing`;
  const expected = issue.expected ? `expected ${issue.expected}` : issue.message;
  return `field ${fieldPath(issue)}: ${expected}${issue.received ? `, found ${issue.received}` : ''}`;
}

/** Which resource a document belongs to, for the error that refuses it. */
export interface DocumentOwner {
  kind: string;
  sourceId: string;
  name?: string | undefined;
}

/**
 * The document checked against its kind's schema; a document that does not match is refused as
 * a bundle format error (exit 6) naming the resource and the field.
 */
export function checkDocument<S extends DocumentSchema>(
  schema: S,
  owner: DocumentOwner,
  input: unknown,
): DocumentOf<S> {
  const result = v.safeParse(schema, input);
  // The schemas only check, they never transform: the input is its own output, with its keys in
  // the order the bundle has them (renderers write custom properties in that order).
  if (result.success) return input as DocumentOf<S>;
  const first = result.issues[0];
  const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : '';
  throw new BundleFormatError(
    `bundle document for ${owner.kind} ${owner.sourceId}${owner.name ? ` (${owner.name})` : ''}: ${describeIssue(first)}${more}`,
    {
      hint: 'The bundle was written by another Downpour version or edited by hand: export it again with this version.',
      details: { kind: owner.kind, sourceId: owner.sourceId, issues: result.issues.map(describeIssue) },
    },
  );
}
