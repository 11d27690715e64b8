/**
 * Checks a Terraform configuration, as HashiCorp's HCL parser reads it (@cdktf/hcl2json: the
 * hcl library compiled to WebAssembly, giving the JSON form of each file), against the schema of
 * terraform-provider-openstack extracted from the provider's source into
 * test/fixtures/render/terraform-provider-openstack-schema.json. Returns the problems found.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getReferencesInExpression, parse } from '@cdktf/hcl2json';

export interface SchemaAttribute {
  type: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  minItems?: number;
  maxItems?: number;
  conflictsWith?: string[];
}
export interface SchemaBlock {
  nesting?: 'list' | 'set';
  required?: boolean;
  maxItems?: number;
  attributes: Record<string, SchemaAttribute>;
  blocks: Record<string, SchemaBlock>;
}
export interface ProviderSchema {
  source: { repository: string; tag: string; commit: string; readFrom: string };
  provider: SchemaBlock;
  resources: Record<string, SchemaBlock>;
  dataSources: Record<string, SchemaBlock>;
}

export function loadProviderSchema(): ProviderSchema {
  return JSON.parse(
    readFileSync(
      join(import.meta.dirname, '../../fixtures/render/terraform-provider-openstack-schema.json'),
      'utf8',
    ),
  ) as ProviderSchema;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
/** hcl2json's form of a configuration: top-level block type -> labels -> bodies. */
export type ParsedConfig = Record<string, JsonObject>;

/** Every .tf file parsed by the real HCL parser; a syntax error throws. */
export async function parseConfig(
  files: { path: string; content: string }[],
): Promise<Map<string, ParsedConfig>> {
  const out = new Map<string, ParsedConfig>();
  for (const f of files.filter((x) => x.path.endsWith('.tf')))
    out.set(f.path, (await parse(f.path, f.content)) as ParsedConfig);
  return out;
}

const META_ARGUMENTS = new Set(['depends_on', 'count', 'for_each', 'provider', 'lifecycle']);
const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isExpression = (v: Json) => typeof v === 'string' && v.includes('${');

/** The value has the shape the schema type asks for (an expression can be anything). */
function typeFits(type: string, value: Json): boolean {
  if (isExpression(value)) return true;
  const m = /^(list|set|map)\((.+)\)$/.exec(type);
  if (m) {
    const [, outer, inner] = m as unknown as [string, string, string];
    if (outer === 'map') return isObject(value) && Object.values(value).every((v) => typeFits(inner, v));
    return Array.isArray(value) && value.every((v) => typeFits(inner, v));
  }
  if (type === 'string') return typeof value === 'string';
  if (type === 'number') return typeof value === 'number';
  if (type === 'bool') return typeof value === 'boolean';
  return false;
}

/** Problems of one block body against its schema. */
export function checkBody(schema: SchemaBlock, body: JsonObject, where: string, meta: boolean): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (meta && META_ARGUMENTS.has(key)) continue;
    const attribute = schema.attributes[key];
    const nested = schema.blocks[key];
    if (attribute) {
      if (attribute.computed && !attribute.optional && !attribute.required)
        problems.push(`${where}: ${key} is computed by the provider, not an argument`);
      if (!typeFits(attribute.type, value))
        problems.push(`${where}: ${key} = ${JSON.stringify(value)} is not a ${attribute.type}`);
      if (Array.isArray(value) && attribute.maxItems !== undefined && value.length > attribute.maxItems)
        problems.push(`${where}: ${key} has more than ${attribute.maxItems} items`);
      for (const other of attribute.conflictsWith ?? [])
        if (other in body) problems.push(`${where}: ${key} conflicts with ${other}`);
    } else if (nested) {
      if (!Array.isArray(value) || !value.every(isObject)) {
        problems.push(`${where}: ${key} must be written as a block`);
        continue;
      }
      if (nested.maxItems !== undefined && value.length > nested.maxItems)
        problems.push(`${where}: more than ${nested.maxItems} ${key} blocks`);
      value.forEach((b, i) => problems.push(...checkBody(nested, b, `${where}.${key}[${i}]`, false)));
    } else {
      problems.push(`${where}: the provider has no argument or block ${key}`);
    }
  }
  for (const [key, attribute] of Object.entries(schema.attributes))
    if (attribute.required && !(key in body))
      problems.push(`${where}: the required argument ${key} is missing`);
  for (const [key, nested] of Object.entries(schema.blocks))
    if (nested.required && !(key in body)) problems.push(`${where}: the required block ${key} is missing`);
  return problems;
}

/** Each `body` of a `type "a" "b" { body }` in hcl2json's nesting, with its labels. */
export function* labelled(
  tree: Json | undefined,
  depth: number,
  labels: string[] = [],
): Generator<[string[], JsonObject]> {
  if (depth === 0) {
    if (Array.isArray(tree)) for (const b of tree) if (isObject(b)) yield [labels, b];
    return;
  }
  if (isObject(tree))
    for (const [k, v] of Object.entries(tree)) yield* labelled(v, depth - 1, [...labels, k]);
}

function* strings(value: Json): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (isObject(value)) for (const v of Object.values(value)) yield* strings(v);
}

export interface Declared {
  variables: Set<string>;
  /** `type.name` and `data.type.name` -> the schema of its type. */
  blocks: Map<string, SchemaBlock>;
}

export function declarations(config: Map<string, ParsedConfig>, schema: ProviderSchema): Declared {
  const declared: Declared = { variables: new Set(), blocks: new Map() };
  for (const file of config.values()) {
    for (const [[name]] of labelled(file['variable'], 1)) declared.variables.add(name as string);
    for (const [[type, name]] of labelled(file['resource'], 2)) {
      const s = schema.resources[type as string];
      if (s) declared.blocks.set(`${type}.${name}`, s);
    }
    for (const [[type, name]] of labelled(file['data'], 2)) {
      const s = schema.dataSources[type as string];
      if (s) declared.blocks.set(`data.${type}.${name}`, s);
    }
  }
  return declared;
}

/**
 * Every reference in `body` (through `${...}` in the JSON form), resolved: `var.x` to a declared
 * variable, `type.name.attr` and `data.type.name.attr` to a declared block whose schema has that
 * attribute, `path.module`; a bare `type.name` only in depends_on.
 */
export async function checkReferences(
  file: string,
  body: JsonObject,
  declared: Declared,
  where: string,
): Promise<{ problems: string[]; references: string[] }> {
  const problems: string[] = [];
  const references: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    for (const s of strings(value)) {
      if (!s.includes('${')) continue;
      for (const ref of await getReferencesInExpression(file, s)) {
        const parts = ref.value.split('.');
        references.push(ref.value);
        if (parts[0] === 'var') {
          if (!declared.variables.has(parts[1] ?? ''))
            problems.push(`${where}: ${ref.value} is not declared`);
          continue;
        }
        if (parts[0] === 'path') {
          if (ref.value !== 'path.module') problems.push(`${where}: unexpected ${ref.value}`);
          continue;
        }
        const isData = parts[0] === 'data';
        const address = parts.slice(0, isData ? 3 : 2).join('.');
        const attribute = parts[isData ? 3 : 2];
        const target = declared.blocks.get(address);
        if (!target) problems.push(`${where}: ${ref.value} refers to ${address}, which is not declared`);
        else if (attribute === undefined) {
          if (key !== 'depends_on') problems.push(`${where}: ${ref.value} names no attribute`);
        } else if (!target.attributes[attribute])
          problems.push(`${where}: ${ref.value}: ${address} has no attribute ${attribute}`);
      }
    }
  }
  return { problems, references };
}
