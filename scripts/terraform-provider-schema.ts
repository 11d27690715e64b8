/**
 * Extracts the schema of the Terraform resources and data sources that `downpour render --format
 * terraform` writes from the public source of terraform-provider-openstack, into the fixture the
 * unit tests check every rendered argument against. Run once per provider release:
 *
 *   npx tsx scripts/terraform-provider-schema.ts GIT_DIR TAG > test/fixtures/render/terraform-provider-openstack-schema.json
 *
 * GIT_DIR is a clone of github.com/terraform-provider-openstack/terraform-provider-openstack.
 * It reads the Go definitions the provider compiles (openstack/provider.go names each type's
 * `*schema.Resource` function; that function's `Schema:` map literal is the schema), and applies
 * terraform-plugin-sdk/v2's rules for what Terraform sees: a list or set whose element is a
 * resource is a nested block unless it is computed only; everything else is an attribute.
 */
import { execFileSync } from 'node:child_process';

/** The types the renderer writes; the fixture holds exactly these. */
const RESOURCES = [
  'openstack_blockstorage_volume_v3',
  'openstack_compute_instance_v2',
  'openstack_compute_keypair_v2',
  'openstack_compute_servergroup_v2',
  'openstack_compute_volume_attach_v2',
  'openstack_images_image_v2',
  'openstack_networking_floatingip_associate_v2',
  'openstack_networking_floatingip_v2',
  'openstack_networking_network_v2',
  'openstack_networking_port_v2',
  'openstack_networking_router_interface_v2',
  'openstack_networking_router_route_v2',
  'openstack_networking_router_v2',
  'openstack_networking_secgroup_rule_v2',
  'openstack_networking_secgroup_v2',
  'openstack_networking_subnet_route_v2',
  'openstack_networking_subnet_v2',
  'openstack_objectstorage_container_v1',
];
const DATA_SOURCES = [
  'openstack_identity_auth_scope_v3',
  'openstack_images_image_v2',
  'openstack_networking_network_v2',
  'openstack_networking_secgroup_v2',
];

interface Attribute {
  type: string;
  required?: true;
  optional?: true;
  computed?: true;
  forceNew?: true;
  minItems?: number;
  maxItems?: number;
  deprecated?: string;
  conflictsWith?: string[];
}
interface Block {
  nesting?: 'list' | 'set';
  required?: true;
  minItems?: number;
  maxItems?: number;
  deprecated?: string;
  attributes: Record<string, Attribute>;
  blocks: Record<string, Block>;
}

const args = process.argv.slice(2);
if (args.length !== 2) {
  process.stderr.write('usage: tsx scripts/terraform-provider-schema.ts GIT_DIR TAG\n');
  process.exit(2);
}
const [gitDir, tag] = args as [string, string];
const git = (...args: string[]) =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

// ---------------------------------------------------------------- reading Go literals

/** Index just past the string, rune or comment starting at `i`, or `i` when none starts there. */
function skipOpaque(src: string, i: number): number {
  const c = src[i];
  if (c === '/' && src[i + 1] === '/') return src.indexOf('\n', i) + 1 || src.length;
  if (c === '/' && src[i + 1] === '*') return src.indexOf('*/', i + 2) + 2;
  if (c === '`') return src.indexOf('`', i + 1) + 1;
  if (c === '"' || c === "'") {
    let j = i + 1;
    while (src[j] !== c) j += src[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  return i;
}

/** Index of the bracket closing the one at `open`. */
function closing(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length;) {
    const after = skipOpaque(src, i);
    if (after !== i) {
      i = after;
      continue;
    }
    const c = src[i];
    if (c === '{' || c === '(' || c === '[') depth++;
    if (c === '}' || c === ')' || c === ']') depth--;
    if (depth === 0) return i;
    i++;
  }
  throw new Error(`unbalanced bracket at ${open}`);
}

/** `text` split at its top-level commas, trimmed, without empty pieces. */
function topLevel(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length;) {
    const after = skipOpaque(text, i);
    if (after !== i) {
      i = after;
      continue;
    }
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') {
      i = closing(text, i) + 1;
      continue;
    }
    if (c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  parts.push(text.slice(start));
  const uncomment = (p: string) => p.replace(/^(\s*(\/\/[^\n]*\n|\/\*[\s\S]*?\*\/))*/g, '').trim();
  return parts.map(uncomment).filter((p) => p.length > 0);
}

/** The body of the `{...}` literal that `text` begins with, after `prefix`. */
function literalBody(text: string, prefix: RegExp): string {
  const m = prefix.exec(text);
  if (!m || m.index !== 0) throw new Error(`expected ${String(prefix)} at: ${text.slice(0, 80)}`);
  const open = m[0].length - 1;
  return text.slice(open + 1, closing(text, open));
}

/** `Key: value` fields of a struct literal body. */
function fields(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of topLevel(body)) {
    const m = /^([A-Za-z]+)\s*:\s*([\s\S]*)$/.exec(part);
    if (!m?.[1] || m[2] === undefined) throw new Error(`not a field: ${part.slice(0, 80)}`);
    out.set(m[1], m[2].trim());
  }
  return out;
}

const goString = (v: string | undefined): string | undefined =>
  v === undefined
    ? undefined
    : (JSON.parse(v.startsWith('`') ? JSON.stringify(v.slice(1, -1)) : v) as string);

function goStrings(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return topLevel(literalBody(v, /\[\]string\{/)).map((s) => goString(s) as string);
}

// ---------------------------------------------------------------- schema.Schema -> Terraform's view

const TYPES: Record<string, string> = {
  'schema.TypeString': 'string',
  'schema.TypeBool': 'bool',
  'schema.TypeInt': 'number',
  'schema.TypeFloat': 'number',
  'schema.TypeList': 'list',
  'schema.TypeSet': 'set',
  'schema.TypeMap': 'map',
};

function typeOf(v: string | undefined): string {
  const t = v && TYPES[v];
  if (!t) throw new Error(`unknown schema type ${v}`);
  return t;
}

/** A `map[string]*schema.Schema{...}` literal body as a block's attributes and nested blocks. */
function schemaMap(body: string): Block {
  const block: Block = { attributes: {}, blocks: {} };
  for (const entry of topLevel(body)) {
    const m = /^"([a-z0-9_]+)"\s*:\s*/.exec(entry);
    if (!m?.[1]) throw new Error(`not a schema entry: ${entry.slice(0, 80)}`);
    const name = m[1];
    const f = fields(literalBody(entry.slice(m[0].length), /\{/));
    const type = typeOf(f.get('Type'));
    const flag = (k: string) => f.get(k) === 'true';
    const elem = f.get('Elem');
    const deprecated = goString(f.get('Deprecated'));
    const nestedResource = elem?.startsWith('&schema.Resource{');
    const min = f.get('MinItems');
    const max = f.get('MaxItems');
    const computedOnly = flag('Computed') && !flag('Optional') && !flag('Required');
    if (nestedResource && (type === 'list' || type === 'set') && !computedOnly) {
      const inner = literalBody(elem as string, /&schema\.Resource\{/);
      const nested = schemaMap(
        literalBody(fields(inner).get('Schema') ?? '', /map\[string\]\*schema\.Schema\{/),
      );
      block.blocks[name] = {
        nesting: type,
        ...(flag('Required') ? { required: true as const } : {}),
        ...(min ? { minItems: Number(min) } : {}),
        ...(max ? { maxItems: Number(max) } : {}),
        ...(deprecated ? { deprecated } : {}),
        ...nested,
      };
      continue;
    }
    let full = type;
    if (type === 'list' || type === 'set' || type === 'map') {
      if (nestedResource) full = `${type}(object)`;
      else if (elem) full = `${type}(${typeOf(fields(literalBody(elem, /&schema\.Schema\{/)).get('Type'))})`;
      else full = `${type}(string)`; // the SDK's default element type
    }
    const conflicts = goStrings(f.get('ConflictsWith'));
    block.attributes[name] = {
      type: full,
      ...(flag('Required') ? { required: true as const } : {}),
      ...(flag('Optional') ? { optional: true as const } : {}),
      ...(flag('Computed') ? { computed: true as const } : {}),
      ...(flag('ForceNew') ? { forceNew: true as const } : {}),
      ...(min ? { minItems: Number(min) } : {}),
      ...(max ? { maxItems: Number(max) } : {}),
      ...(deprecated ? { deprecated } : {}),
      ...(conflicts ? { conflictsWith: conflicts } : {}),
    };
  }
  return block;
}

/** Every `func NAME() *schema.Resource` in the provider's package, by name. */
function functionIndex(): Map<string, { file: string; body: string }> {
  const out = new Map<string, { file: string; body: string }>();
  const files = git('ls-tree', '--name-only', tag, 'openstack/')
    .split('\n')
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  for (const file of files) {
    const src = git('show', `${tag}:${file}`);
    for (const m of src.matchAll(/^func ([A-Za-z0-9_]+)\(\) \*schema\.Resource \{/gm)) {
      const open = (m.index ?? 0) + m[0].length - 1;
      out.set(m[1] as string, { file, body: src.slice(open + 1, closing(src, open)) });
    }
  }
  return out;
}

/** The `Schema:` map inside a function returning `&schema.Resource{...}`. */
function resourceSchema(body: string): Block {
  const at = body.indexOf('Schema: map[string]*schema.Schema{');
  if (at < 0) throw new Error('no Schema map');
  const schema = schemaMap(
    literalBody(body.slice(at + 'Schema: '.length), /map\[string\]\*schema\.Schema\{/),
  );
  // Every SDK resource has an `id` attribute Terraform fills in.
  schema.attributes['id'] ??= { type: 'string', optional: true, computed: true };
  return schema;
}

/** `"type": constructor(),` entries of ResourcesMap or DataSourcesMap in provider.go. */
function providerMap(provider: string, field: string): Map<string, string> {
  const at = provider.indexOf(`${field}: map[string]*schema.Resource{`);
  const body = literalBody(provider.slice(at + field.length + 2), /map\[string\]\*schema\.Resource\{/);
  const out = new Map<string, string>();
  for (const m of body.matchAll(/"([a-z0-9_]+)":\s*([A-Za-z0-9_]+)\(\)/g))
    out.set(m[1] as string, m[2] as string);
  return out;
}

function section(names: string[], map: Map<string, string>, index: ReturnType<typeof functionIndex>) {
  const out: Record<string, Block & { file: string }> = {};
  for (const name of [...names].sort()) {
    const fn = map.get(name);
    const found = fn ? index.get(fn) : undefined;
    if (!found) throw new Error(`${name} is not in the provider at ${tag}`);
    out[name] = { file: found.file, ...resourceSchema(found.body) };
  }
  return out;
}

const provider = git('show', `${tag}:openstack/provider.go`);
const providerFn = /^func Provider\(\) \*schema\.Provider \{/m.exec(provider);
if (!providerFn) throw new Error('no Provider() in provider.go');
const providerOpen = providerFn.index + providerFn[0].length - 1;
const providerBody = provider.slice(providerOpen + 1, closing(provider, providerOpen));
const index = functionIndex();
const out = {
  source: {
    repository: 'https://github.com/terraform-provider-openstack/terraform-provider-openstack',
    tag,
    commit: git('rev-parse', `${tag}^{commit}`).trim(),
    readFrom:
      'the Go schema definitions: openstack/provider.go (the provider block, ResourcesMap and DataSourcesMap) and the *schema.Resource function each map entry names',
    extractedBy: 'scripts/terraform-provider-schema.ts',
    rules:
      'terraform-plugin-sdk/v2: a TypeList/TypeSet whose Elem is a *schema.Resource is a nested block unless computed only; every resource has an id attribute',
  },
  provider: resourceSchema(providerBody),
  resources: section(RESOURCES, providerMap(provider, 'ResourcesMap'), index),
  dataSources: section(DATA_SOURCES, providerMap(provider, 'DataSourcesMap'), index),
};
// The provider block has no id.
delete out.provider.attributes['id'];
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
