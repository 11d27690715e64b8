/**
 * Checks of a rendered playbook that share no code with the renderer: the YAML is parsed as
 * Ansible's YAML 1.1, every task's module and arguments are looked up in the argument specs of
 * the openstack.cloud 2.x releases (test/fixtures/render/openstack-cloud-2.x-argspec.json, read
 * from the collection's source by scripts/extract-ansible-argspec.py), and every template
 * expression is resolved against the variables and earlier results it may use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type ScalarTag } from 'yaml';

export interface SpecOption {
  type: string;
  aliases?: string[];
  choices?: (string | number)[];
  elements?: string;
  required?: boolean;
  options?: Record<string, SpecOption>;
}

interface DocOption {
  type?: string;
  aliases?: string[];
  choices?: (string | number)[];
  suboptions?: Record<string, DocOption>;
}

interface ModuleSpec {
  options: Record<string, SpecOption>;
  documented_suboptions?: Record<string, Record<string, DocOption>>;
  returns: Record<string, string[]>;
  since: Record<string, string>;
  removed?: Record<string, string>;
}

export interface ArgSpecFixture {
  source: { repository: string; releases: { version: string; commit: string }[]; spec_of: string };
  common: Record<string, SpecOption>;
  modules: Record<string, ModuleSpec>;
  builtin: { ansible: string; modules: Record<string, { options: Record<string, DocOption> }> };
}

export const ARGSPEC = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/render/openstack-cloud-2.x-argspec.json'), 'utf8'),
) as ArgSpecFixture;

/**
 * Keys of dictionaries a module passes on unchecked and does not document as suboptions, with
 * where the 2.x source reads them: the checker accepts these and nothing else.
 */
const PASSED_THROUGH: Record<string, Record<string, string[] | 'any'>> = {
  // subnet.py sends allocation_pools to Neutron as they are: its API's pool is {start, end}.
  subnet: { allocation_pools: ['start', 'end'] },
  // router.py _build_router_interface_config reads iface['net'], iface['subnet'], iface['portip'].
  router: { interfaces: ['net', 'subnet', 'portip'] },
  // server.py _parse_nics reads net-id, net-name, port-id, port-name; scheduler_hints go to Nova.
  server: {
    nics: ['net-id', 'net-name', 'port-id', 'port-name', 'tag'],
    scheduler_hints: ['group'],
    metadata: 'any',
  },
  image: { properties: 'any' },
  volume: { metadata: 'any' },
  server_group: { rules: ['max_server_per_host'] },
  // object_container.py hands metadata to openstacksdk, which sends each key as X-Container-Meta-KEY.
  object_container: { metadata: 'any' },
};

/** openstacksdk attribute names the resource module is given (network/v2/{network,router,floating_ip}.py). */
const SDK_ATTRIBUTES: Record<string, string[]> = {
  network: ['id', 'description'],
  router: ['id', 'routes'],
  ip: ['id', 'description', 'floating_network_id', 'port_id', 'fixed_ip_address'],
};

/** Text Ansible keeps as written (`!unsafe`): never a template. */
export class Unsafe {
  constructor(readonly text: string) {}
}

const unsafeTag: ScalarTag = {
  tag: '!unsafe',
  identify: (value) => value instanceof Unsafe,
  resolve: (value: string) => new Unsafe(value),
};

/** As Ansible reads it: YAML 1.1, with its `!unsafe` tag. */
export function parseAnsibleYaml(text: string): unknown {
  return parse(text, { version: '1.1', customTags: [unsafeTag] });
}

export interface ParsedTask {
  name: string;
  module: string;
  args: Record<string, unknown>;
  register?: string;
  when?: string;
  vars?: Record<string, unknown>;
  tags: string[];
}

const TASK_KEYWORDS = new Set(['name', 'register', 'when', 'vars', 'tags']);

export function tasksOf(playbook: unknown): ParsedTask[] {
  const plays = playbook as { tasks: Record<string, unknown>[] }[];
  if (!Array.isArray(plays) || plays.length !== 1) throw new Error('expected one play');
  return (plays[0]?.tasks ?? []).map((t) => {
    const modules = Object.keys(t).filter((k) => !TASK_KEYWORDS.has(k));
    if (modules.length !== 1) throw new Error(`task ${String(t['name'])}: keys ${Object.keys(t).join(', ')}`);
    const module = modules[0] as string;
    const unknownKeyword = Object.keys(t).find((k) => k !== module && !TASK_KEYWORDS.has(k));
    if (unknownKeyword) throw new Error(`task keyword ${unknownKeyword}`);
    return {
      name: t['name'] as string,
      module,
      args: t[module] as Record<string, unknown>,
      ...(t['register'] ? { register: t['register'] as string } : {}),
      ...(t['when'] ? { when: t['when'] as string } : {}),
      ...(t['vars'] ? { vars: t['vars'] as Record<string, unknown> } : {}),
      tags: t['tags'] as string[],
    };
  });
}

const templated = (v: unknown) => typeof v === 'string' && v.includes('{{');

function typeProblem(type: string, value: unknown): boolean {
  if (templated(value)) return false;
  if (value instanceof Unsafe) return type !== 'str' && type !== 'raw';
  switch (type) {
    case 'bool':
      return typeof value !== 'boolean';
    case 'int':
      return typeof value !== 'number' || !Number.isInteger(value);
    case 'str':
      return typeof value !== 'string' && typeof value !== 'number';
    case 'list':
      return !Array.isArray(value);
    case 'dict':
      return value === null || typeof value !== 'object' || Array.isArray(value);
    default:
      return false;
  }
}

/** Option name or alias -> the option, at one level. */
function byName<T extends { aliases?: string[] }>(options: Record<string, T>): Map<string, [string, T]> {
  const out = new Map<string, [string, T]>();
  for (const [name, opt] of Object.entries(options)) {
    out.set(name, [name, opt]);
    for (const a of opt.aliases ?? []) out.set(a, [name, opt]);
  }
  return out;
}

/** Where an argument sits: `fixed_ips.subnet_id`, for `since` and messages. */
export interface UsedName {
  module: string;
  path: string;
}

/**
 * Problems with one task's arguments against the newest spec; every name used is reported to
 * `used` so the caller can check the release it first appeared in.
 */
export function argumentProblems(task: ParsedTask, used: UsedName[]): string[] {
  const problems: string[] = [];
  const where = `${task.name} (${task.module})`;
  if (task.module.startsWith('ansible.builtin.')) {
    const spec = ARGSPEC.builtin.modules[task.module.slice('ansible.builtin.'.length)];
    if (!spec) return [`${where}: no such ansible.builtin module in the fixture`];
    const names = byName(spec.options);
    for (const key of Object.keys(task.args))
      if (!names.has(key)) problems.push(`${where}: no option ${key}`);
    return problems;
  }
  if (!task.module.startsWith('openstack.cloud.')) return [`${where}: not an openstack.cloud module`];
  const moduleName = task.module.slice('openstack.cloud.'.length);
  const spec = ARGSPEC.modules[moduleName];
  if (!spec) return [`${where}: the 2.x collection has no module ${moduleName}`];
  const top = byName({ ...ARGSPEC.common, ...spec.options });

  const checkOptions = (
    args: Record<string, unknown>,
    names: Map<string, [string, SpecOption]>,
    prefix: string,
    options: Record<string, SpecOption>,
  ) => {
    for (const [key, value] of Object.entries(args)) {
      const found = names.get(key);
      if (!found) {
        problems.push(`${where}: no option ${prefix}${key}`);
        continue;
      }
      const [canonical, opt] = found;
      used.push({ module: moduleName, path: `${prefix}${key}` });
      checkValue(value, opt, `${prefix}${canonical}`, `${prefix}${key}`);
    }
    for (const [name, opt] of Object.entries(options)) {
      const given = [name, ...(opt.aliases ?? [])].some((n) => n in args);
      if (opt.required && !given && !(prefix === '' && name === 'state'))
        problems.push(`${where}: required option ${prefix}${name} missing`);
    }
  };

  const checkValue = (value: unknown, opt: SpecOption, canonicalPath: string, usedPath: string) => {
    if (typeProblem(opt.type, value)) problems.push(`${where}: ${usedPath} is not a ${opt.type}`);
    if (opt.choices && !templated(value)) {
      if (!opt.choices.map(String).includes(String(value)))
        problems.push(`${where}: ${usedPath}=${String(value)} is not one of ${opt.choices.join(', ')}`);
      else used.push({ module: moduleName, path: `${canonicalPath}=${String(value)}` });
    }
    const items = opt.type === 'list' && Array.isArray(value) ? value : [value];
    if (opt.type === 'list' && opt.elements && opt.elements !== 'raw' && opt.elements !== 'dict')
      for (const item of items)
        if (typeProblem(opt.elements, item))
          problems.push(`${where}: ${usedPath}[] is not a ${opt.elements}`);
    const dicts = items.filter(
      (i): i is Record<string, unknown> =>
        i !== null && typeof i === 'object' && !Array.isArray(i) && !(i instanceof Unsafe),
    );
    if (opt.options) {
      for (const d of dicts) checkOptions(d, byName(opt.options), `${canonicalPath}.`, opt.options);
      return;
    }
    const documented = spec.documented_suboptions?.[canonicalPath];
    const passed = PASSED_THROUGH[moduleName]?.[canonicalPath];
    for (const d of dicts) {
      if (moduleName === 'resource' && canonicalPath === 'attributes') {
        const allowed = SDK_ATTRIBUTES[String(task.args['type'])] ?? [];
        for (const k of Object.keys(d))
          if (!allowed.includes(k))
            problems.push(
              `${where}: attribute ${k} is not one the test knows for ${String(task.args['type'])}`,
            );
        continue;
      }
      if (passed === 'any') continue;
      const docNames = documented ? byName(documented) : new Map<string, [string, DocOption]>();
      for (const k of Object.keys(d)) {
        if (docNames.has(k) || passed?.includes(k)) continue;
        problems.push(`${where}: ${usedPath}.${k} is neither documented nor read by the module`);
      }
    }
  };

  checkOptions(task.args, top, '', spec.options);
  return problems;
}

const compareVersions = (a: string, b: string) => {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

/** The oldest release that has every name used, by the fixture's `since`; and names a release dropped. */
export function oldestReleaseFor(used: UsedName[]): { version: string; removed: string[] } {
  let version = ARGSPEC.source.releases[0]?.version ?? '2.0.0';
  const removed: string[] = [];
  for (const u of used) {
    const spec = ARGSPEC.modules[u.module];
    const since = spec?.since[u.path];
    if (since && compareVersions(since, version) > 0) version = since;
    if (spec?.removed?.[u.path]) removed.push(`${u.module} ${u.path}`);
  }
  return { version, removed };
}

const JINJA_WORDS = new Set([
  'true',
  'false',
  'none',
  'True',
  'False',
  'None',
  'and',
  'or',
  'not',
  'in',
  'is',
  'if',
  'else',
]);

/** Variable paths read by a Jinja expression: `network_x.network.id` -> ['network_x', 'network', 'id']. */
export function expressionPaths(expression: string): string[][] {
  const withoutStrings = expression.replace(/'[^']*'|"[^"]*"/g, "''");
  const paths: string[][] = [];
  const re = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*/g;
  for (const m of withoutStrings.matchAll(re)) {
    const before = withoutStrings.slice(0, m.index).trimEnd();
    const after = withoutStrings.slice((m.index ?? 0) + m[0].length).trimStart();
    if (before.endsWith('|') || before.endsWith('.') || /\bis$/.test(before)) continue; // a filter or test
    if (after.startsWith('=') && !after.startsWith('==')) continue; // a keyword argument
    const path = m[0].replace(/\[\d+\]/g, '').split('.');
    if (JINJA_WORDS.has(path[0] as string)) continue;
    paths.push(path);
  }
  return paths;
}

/** Every `{{ … }}` in a value. */
export function templatesIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\{\{(.*?)\}\}/gs)].map((m) => m[1] as string);
  if (Array.isArray(value)) return value.flatMap(templatesIn);
  if (value instanceof Unsafe) return [];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(templatesIn);
  return [];
}

/** What Ansible itself provides to a play on localhost. */
const MAGIC = new Set(['playbook_dir']);

/**
 * References that do not resolve: a path must start at a variable of vars.yml, of the task, of
 * Ansible, or at the result of an earlier task; a result must be read under a key its module
 * returns, and an attribute it documents.
 */
export function referenceProblems(tasks: ParsedTask[], playVars: Set<string>): string[] {
  const problems: string[] = [];
  const registered = new Map<string, string>();
  for (const task of tasks) {
    const expressions = [
      ...templatesIn(task.args),
      ...templatesIn(task.vars ?? {}),
      ...(task.when ? [task.when] : []),
    ];
    const local = new Set(Object.keys(task.vars ?? {}));
    for (const e of expressions) {
      for (const [head, key, attribute] of expressionPaths(e)) {
        if (!head || playVars.has(head) || local.has(head) || MAGIC.has(head)) continue;
        const module = registered.get(head);
        if (!module) {
          problems.push(`${task.name}: ${head} is neither a variable nor an earlier result`);
          continue;
        }
        const returns = ARGSPEC.modules[module]?.returns;
        if (!key || !returns || !(key in returns)) {
          problems.push(`${task.name}: ${head}.${key ?? ''}: ${module} returns no ${key ?? 'value'}`);
          continue;
        }
        const contains = returns[key] ?? [];
        if (attribute && contains.length && !contains.includes(attribute))
          problems.push(
            `${task.name}: ${head}.${key}.${attribute}: ${module}'s ${key} documents no ${attribute}`,
          );
      }
    }
    if (task.register) {
      if (!task.module.startsWith('openstack.cloud.'))
        problems.push(`${task.name}: registers a builtin's result`);
      registered.set(task.register, task.module.slice('openstack.cloud.'.length));
    }
  }
  return problems;
}
