/**
 * The playbook: one play on localhost that checks its inputs, rebuilds the data files, creates
 * every resource in dependency order (registering each result so later tasks use the new ids),
 * and finally writes ids.json, the old -> new id map of Downpour's import report.
 */
import type { KindName } from '../../kinds/model.js';
import { DATA_DIR } from '../data-script.js';
import type { RenderModel } from '../model.js';
import { ANSIBLE_COMPUTE } from './compute.js';
import { PlaybookContext, text, type AnsibleKind } from './context.js';
import { BUNDLE_VAR, CLOUD_VAR } from './names.js';
import { ANSIBLE_NETWORK } from './network.js';
import { ANSIBLE_STORAGE } from './storage.js';
import { Jinja, expr, playbookYaml, type Task, type Value } from './yaml.js';

/**
 * Each kind's block in the playbook, keyed by kind name: its tasks, its tag, where its module's
 * result keeps the new id, and the word of a module that finds objects by name. Each file of
 * blocks keeps its part of the table beside its blocks. Flavors and volume types must exist at
 * the destination: they are inputs, with no tasks of their own.
 */
export const ANSIBLE_KINDS: Readonly<Record<KindName, AnsibleKind>> = {
  'compute.flavor': { tag: 'flavor' },
  'block-storage.volume-type': { tag: 'volume_type' },
  ...ANSIBLE_COMPUTE,
  ...ANSIBLE_NETWORK,
  ...ANSIBLE_STORAGE,
};

export const IDS_FILE = 'ids.json';
export const VARS_FILE = 'vars.yml';

interface Group {
  index: number;
  tasks: Task[];
}

const IDENT = /([A-Za-z_][A-Za-z0-9_]*)(?=\s*[.[|}\s]|$)/g;

/** Variable names a task reads: those at the start of an expression path in its templates. */
export function taskReferences(task: Task): Set<string> {
  const found = new Set<string>();
  const scan = (expression: string) => {
    for (const m of expression.matchAll(IDENT)) {
      const before = expression.slice(0, m.index).trimEnd();
      // A path's head, not `.network` or `| default` or a quoted string's word.
      if (!before.endsWith('.') && !before.endsWith('|') && !/['"][^'"]*$/.test(before))
        found.add(m[1] as string);
    }
  };
  const walk = (v: Value | undefined) => {
    if (v instanceof Jinja) for (const m of v.template.matchAll(/\{\{(.*?)\}\}/g)) scan(m[1] as string);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(task.args);
  if (task.vars) walk(task.vars);
  if (task.when) scan(task.when);
  return found;
}

/**
 * Groups in model order, each moved after the groups whose results it reads (a floating IP
 * attached through a server the model may list later): Kahn's algorithm, earliest first.
 */
function orderByReferences(groups: Group[]): Group[] {
  const owner = new Map<string, Group>();
  for (const g of groups) for (const t of g.tasks) if (t.register) owner.set(t.register, g);
  const needs = new Map<Group, Set<Group>>(
    groups.map((g) => [
      g,
      new Set(
        g.tasks.flatMap((t) =>
          [...taskReferences(t)].flatMap((v) => {
            const o = owner.get(v);
            return o && o !== g ? [o] : [];
          }),
        ),
      ),
    ]),
  );
  const out: Group[] = [];
  const left = [...groups];
  while (left.length) {
    const i = left.findIndex((g) => [...(needs.get(g) ?? [])].every((n) => out.includes(n)));
    if (i < 0) throw new Error("ansible: tasks read each other's results in a cycle");
    out.push(...left.splice(i, 1));
  }
  return out;
}

export interface RenderedPlaybook {
  text: string;
  ctx: PlaybookContext;
  tasks: Task[];
}

export function renderPlaybook(model: RenderModel): RenderedPlaybook {
  const ctx = new PlaybookContext(model, ANSIBLE_KINDS);
  for (const v of ['downpour_bundle', 'downpour_ids', 'downpour_floating_ips']) ctx.vars.take(v);
  const groups: Group[] = model.resources.map((r, index) => ({
    index,
    tasks: ANSIBLE_KINDS[r.kind].tasks?.(ctx, r) ?? [],
  }));
  const resourceTasks = orderByReferences(groups).flatMap((g) => g.tasks);

  const withData = model.resources.filter((r) => r.data);
  const last = withData[withData.length - 1]?.data;
  const preamble: Task[] = [
    {
      comment: [],
      name: 'The destination cloud is named',
      module: 'ansible.builtin.assert',
      args: {
        that: `${CLOUD_VAR} | length > 0`,
        fail_msg: 'Name the destination: -e cloud=NAME (an entry of clouds.yaml)',
        quiet: true,
      },
      tags: ['always'],
    },
  ];
  if (last) {
    preamble.push({
      comment: [
        "Image and volume files, rebuilt from the bundle's chunks with their SHA-256 checked.",
        `${DATA_DIR}/assemble.sh writes them in order, each moved into place only when whole and`,
        'intact: once the last one is there, all are, and a rerun skips this step.',
      ],
      name: 'Image and volume data rebuilt from the bundle',
      module: 'ansible.builtin.command',
      args: {
        argv: ['sh', new Jinja(`{{ playbook_dir }}/${DATA_DIR}/assemble.sh`), expr(BUNDLE_VAR)],
        creates: new Jinja(`{{ playbook_dir }}/${DATA_DIR}/${last.file}`),
      },
      tags: ['data', 'image', 'volume'],
    });
  }

  const ids: Record<string, Value> = {};
  const floatingIps: Value[] = [];
  for (const r of model.resources) {
    if (!ctx.hasId(r)) continue;
    ids[r.sourceId] = expr(`${ctx.idOf(r)} | default('')`);
    if (r.kind === 'network.floating-ip') {
      const address = ctx.idOf(r).replace(/\.id$/, '.floating_ip_address');
      floatingIps.push({
        source: text(r.doc['floating_ip_address']) ?? '',
        destination: expr(`${address} | default('')`),
      });
    }
  }
  const idsTask: Task = {
    comment: [
      "The old -> new id map, as Downpour's import reports it: every source id whose object this",
      'run created or found, and the new addresses of floating IPs. Runs with any --tags.',
    ],
    name: `The old -> new id map written to ${IDS_FILE}`,
    module: 'ansible.builtin.copy',
    args: {
      dest: new Jinja(`{{ playbook_dir }}/${IDS_FILE}`),
      content: expr(
        "{'bundle': downpour_bundle, 'idMap': downpour_ids | dict2items | rejectattr('value', 'equalto', '') | items2dict, 'floatingIps': downpour_floating_ips | selectattr('destination') | list} | to_nice_json(indent=2)",
      ),
      mode: '0644',
    },
    vars: {
      downpour_bundle: model.bundleId,
      downpour_ids: ids,
      downpour_floating_ips: floatingIps,
    },
    tags: ['always'],
  };

  const tasks = [...preamble, ...resourceTasks, idsTask];
  const { version } = ctx.minimumVersion();
  const header = [
    `Downpour bundle ${model.bundleId}, exported from cloud ${model.source.cloud}`,
    `(project ${model.source.project.name}) at ${model.exportedAt}: ${model.resources.length} resources,`,
    'recreated in dependency order with the openstack.cloud collection',
    `(${version} or later 2.x; see requirements.yml and README.md).`,
    '',
    '  ansible-galaxy collection install -r requirements.yml',
    '  ansible-playbook playbook.yml -e cloud=NAME' + (last ? ' -e bundle=PATH' : ''),
    '',
    'Each task names the source resource it recreates. The modules find objects by name, so a',
    'rerun finds what an earlier run made instead of making it again.',
  ];
  const text_ = playbookYaml({
    header,
    play: {
      name: `Downpour bundle ${model.bundleId}`,
      hosts: 'localhost',
      connection: 'local',
      gather_facts: false,
      vars_files: [VARS_FILE],
    },
    tasks,
  });
  return { text: text_, ctx, tasks };
}
