/**
 * The rendered Ansible playbook, as far as these machines can take it. Debian 12's `ansible`
 * carries openstack.cloud 1.10 and no 2.x; so: `ansible-playbook --syntax-check` with the 2.x
 * module names, and a real run, twice, of the tasks 1.10 can run (REAL_RUN_TAGS) against
 * tenant `dst`, witnessed by the `openstack` CLI. The README of every rendered playbook says
 * the same (src/render/ansible/proof.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../src/bundle/index.js';
import { loadRenderModel } from '../../src/render/render.js';
import type { RenderModel } from '../../src/render/model.js';
import { REAL_RUN_SKIP_TAGS, REAL_RUN_TAGS } from '../../src/render/ansible/proof.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import { Session } from '../../src/openstack/session/session.js';
import { openstackCli } from '../support/openstack-cli.js';
import { buildWorkload, deleteWorkload } from '../support/workload.js';
import { ARGSPEC, parseAnsibleYaml, tasksOf, type ParsedTask } from '../unit/render/ansible-check.js';

const configFile = process.env['OS_CLIENT_CONFIG_FILE'];
const BIN = fileURLToPath(new URL('../../bin/downpour.js', import.meta.url));
/** Where Debian's `ansible` package keeps its collections. */
const DEBIAN_COLLECTIONS = '/usr/lib/python3/dist-packages';
const DEBIAN_OPENSTACK = join(DEBIAN_COLLECTIONS, 'ansible_collections/openstack/cloud');

const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;
if (configFile && !hasAnsible)
  console.warn(
    'render-ansible: ansible-playbook is missing; scripts/install-test-tools.sh installs it (as root).',
  );

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const began = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - began }));
  });
}

/** One task's outcome, from the ansible.posix.json callback. */
interface TaskResult {
  name: string;
  changed: boolean;
  failed: boolean;
  skipped: boolean;
  msg?: string;
}

function results(stdout: string): { tasks: TaskResult[]; failures: number } {
  const doc = JSON.parse(stdout) as {
    plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[];
    stats: Record<string, { failures: number }>;
  };
  const tasks = (doc.plays[0]?.tasks ?? []).map((t) => {
    const h = t.hosts['localhost'] ?? {};
    return {
      name: t.task.name,
      changed: h['changed'] === true,
      failed: h['failed'] === true,
      skipped: h['skipped'] === true,
      ...(typeof h['msg'] === 'string' ? { msg: h['msg'] } : {}),
    };
  });
  return { tasks, failures: doc.stats['localhost']?.failures ?? 0 };
}

/** A stand-in openstack.cloud that declares the 2.x module names, for syntax-check only. */
function stubCollection(dir: string): string {
  const modules = join(dir, 'ansible_collections/openstack/cloud/plugins/modules');
  mkdirSync(modules, { recursive: true });
  for (const m of Object.keys(ARGSPEC.modules)) {
    cpSync(join(import.meta.dirname, 'render-ansible-stub.py'), join(modules, `${m}.py`));
  }
  return dir;
}

/**
 * Debian's openstack.cloud 1.10 with its openstacksdk version ceiling lifted (it refuses 0.101),
 * plus a stand-in for the 2.x-only resource module so the playbook parses; the run skips
 * those tasks, and the stand-in fails if it is ever called.
 */
function debianCollectionLifted(dir: string): string {
  const target = join(dir, 'ansible_collections/openstack/cloud');
  cpSync(DEBIAN_OPENSTACK, target, { recursive: true });
  const utils = join(target, 'plugins/module_utils/openstack.py');
  const text = readFileSync(utils, 'utf8');
  const lifted = text.replace(/^MAXIMUM_SDK_VERSION = .*$/m, 'MAXIMUM_SDK_VERSION = None');
  if (lifted === text) throw new Error(`${utils} has no MAXIMUM_SDK_VERSION line to lift`);
  writeFileSync(utils, lifted);
  cpSync(join(import.meta.dirname, 'render-ansible-stub.py'), join(target, 'plugins/modules/resource.py'));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// What the CLI shows of the kinds the real run creates, with ids replaced by names.

interface CliNetwork {
  name: string;
  admin_state_up: boolean;
  mtu: number;
  port_security_enabled: boolean;
  description: string;
}
interface CliRouter {
  admin_state_up: boolean;
  external_gateway_info: { network_id: string } | null;
  interfaces_info: { subnet_id: string; ip_address: string }[];
  routes: { destination: string; nexthop: string }[];
}
interface CliSubnet {
  ID: string;
  Name: string;
  Network: string;
  Subnet: string;
  Gateway: string | null;
  DHCP: boolean;
  'IP Version': number;
  'Name Servers': string[];
  'Allocation Pools': { start: string; end: string }[];
  'Host Routes': { destination: string; nexthop: string }[];
}

async function view(cloud: string, clouds: string, names: Names) {
  const [networks, subnets, routers, groups, keypairs, ...shows] = await openstackCli(cloud, clouds, [
    'network list',
    'subnet list --long',
    'router list',
    'security group list',
    'keypair list',
    ...names.networks.map((n) => `network show ${n}`),
    `router show ${names.router}`,
  ]);
  const netRows = networks as { ID: string; Name: string }[];
  const subnetRows = subnets as CliSubnet[];
  const netName = (id: string | undefined) => netRows.find((n) => n.ID === id)?.Name ?? `unknown ${id}`;
  const subnetCidr = (id: string) => subnetRows.find((s) => s.ID === id)?.Subnet ?? `unknown ${id}`;
  const router = shows.at(-1) as CliRouter;
  const count = (rows: unknown, name: string) =>
    (rows as { Name: string }[]).filter((r) => r.Name === name).length;
  return {
    /** How many objects of each name: 1 each, or something was made twice. */
    copies: {
      networks: names.networks.map((n) => count(networks, n)),
      subnets: names.subnets.map((n) => count(subnets, n)),
      routers: count(routers, names.router),
      groups: names.groups.map((n) => count(groups, n)),
      keypairs: count(keypairs, names.keypair),
    },
    networks: (shows.slice(0, -1) as CliNetwork[]).map((n) => ({
      name: n.name,
      up: n.admin_state_up,
      mtu: n.mtu,
      portSecurity: n.port_security_enabled,
    })),
    descriptions: (shows.slice(0, -1) as CliNetwork[]).map((n) => n.description),
    subnets: names.subnets.map((name) => {
      const s = subnetRows.find((x) => x.Name === name);
      return (
        s && {
          name,
          network: netName(s.Network),
          cidr: s.Subnet,
          gateway: s.Gateway,
          dhcp: s.DHCP,
          ipVersion: s['IP Version'],
          dns: s['Name Servers'],
          pools: s['Allocation Pools'],
          hostRoutes: s['Host Routes'],
        }
      );
    }),
    router: {
      up: router.admin_state_up,
      gateway: netName(router.external_gateway_info?.network_id),
      interfaces: router.interfaces_info.map((i) => `${subnetCidr(i.subnet_id)} ${i.ip_address}`).sort(),
    },
    routes: router.routes,
    groups: (groups as { Name: string; Description: string }[])
      .filter((g) => names.groups.includes(g.Name))
      .map((g) => `${g.Name}: ${g.Description}`)
      .sort(),
    keypairs: (keypairs as { Name: string; Fingerprint: string }[])
      .filter((k) => k.Name === names.keypair)
      .map((k) => `${k.Name} ${k.Fingerprint}`),
    ids: {
      ...Object.fromEntries(
        netRows.filter((n) => names.networks.includes(n.Name)).map((n) => [n.Name, n.ID]),
      ),
      ...Object.fromEntries(
        subnetRows.filter((s) => names.subnets.includes(s.Name)).map((s) => [s.Name, s.ID]),
      ),
      ...Object.fromEntries(
        (routers as { ID: string; Name: string }[])
          .filter((r) => r.Name === names.router)
          .map((r) => [r.Name, r.ID]),
      ),
    } as Record<string, string>,
  };
}

interface Names {
  networks: string[];
  subnets: string[];
  router: string;
  groups: string[];
  keypair: string;
}

function namesOf(model: RenderModel): Names {
  const of = (kind: string) =>
    model.resources
      .filter((r) => r.kind === kind)
      .map((r) => r.name as string)
      .sort();
  const [router] = of('network.router');
  const [keypair] = of('compute.keypair');
  if (!router || !keypair) throw new Error('the bundle has no router or keypair');
  return {
    networks: of('network.network'),
    subnets: of('network.subnet'),
    router,
    groups: of('network.security-group'),
    keypair,
  };
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(!configFile)('the rendered Ansible playbook against the local cloud', () => {
  const prefix = `dp-an-${randomBytes(4).toString('hex')}`;
  const clouds = configFile as string;
  let work: string;
  let out: string;
  let bundle: string;
  let model: RenderModel;
  let playbookTasks: ParsedTask[];
  let src: Session | undefined;
  let dst: Session | undefined;
  const timings: string[] = [];
  const timed = async <T>(what: string, step: () => Promise<T>) => {
    const began = Date.now();
    const value = await step();
    timings.push(`${what} ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return value;
  };

  /** The real run: the tags Debian's 1.10 can run, with that collection, against dst. */
  const realRun = () =>
    run(
      'ansible-playbook',
      [
        'playbook.yml',
        '-e',
        'cloud=dst',
        '-e',
        `bundle=${bundle}`,
        '--tags',
        REAL_RUN_TAGS.join(','),
        '--skip-tags',
        REAL_RUN_SKIP_TAGS.join(','),
      ],
      out,
      {
        ANSIBLE_COLLECTIONS_PATH: join(work, 'debian'),
        ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json',
        OS_CLIENT_CONFIG_FILE: clouds,
      },
    );

  beforeAll(async () => {
    if (!hasAnsible)
      throw new Error(
        'ansible-playbook is missing: run scripts/install-test-tools.sh as root (apt-get install -y ansible)',
      );
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    [src, dst] = await Promise.all(
      ['src', 'dst'].map((cloud) => Session.connect(loadCloudConfig({ cloud }))),
    );
    await timed('workload', () => buildWorkload(src as Session, { prefix, imageMiB: 1 }));
    const downpour = async (args: string[]) => {
      const r = await run(process.execPath, [BIN, ...args], work, { OS_CLIENT_CONFIG_FILE: clouds });
      if (r.code !== 0) throw new Error(`downpour ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    };
    await timed('export', async () => {
      await downpour([
        'select',
        '--cloud',
        'src',
        '--server',
        `${prefix}-web`,
        '--server',
        `${prefix}-db`,
        '-o',
        'shop.yaml',
      ]);
      // The boot image stands for the web server's disk: no snapshot, a shorter export.
      await downpour(['export', 'shop.yaml', '--cloud', 'src', '-o', 'shop.bundle', '--capture', 'image']);
    });
    bundle = join(work, 'shop.bundle');
    out = join(work, 'ansible');
    await downpour(['render', bundle, '--format', 'ansible', '-o', out]);
    model = await loadRenderModel(await openBundle(bundle), {});
    playbookTasks = tasksOf(parseAnsibleYaml(await readFile(join(out, 'playbook.yml'), 'utf8')));
  });

  afterAll(async () => {
    const failures: string[] = [];
    await Promise.all(
      (
        [
          ['dst', dst],
          ['src', src],
        ] as const
      ).map(async ([what, session]) => {
        if (session)
          await deleteWorkload(session, prefix).catch((err: unknown) =>
            failures.push(`${what}: ${(err as Error).message}`),
          );
      }),
    );
    await Promise.all([src, dst].flatMap((s) => (s ? [s.close()] : [])));
    if (work) await rm(work, { recursive: true, force: true });
    console.info(`render-ansible: ${timings.join(', ')}`);
    if (failures.length) throw new Error(`cleanup left things behind:\n${failures.join('\n')}`);
  });

  it("passes ansible-playbook --syntax-check with the 2.x module names, which the machine's 1.10 collection lacks one of", async () => {
    const stub = stubCollection(join(work, 'stub'));
    const check = (collections: string, playbook = 'playbook.yml') =>
      run('ansible-playbook', ['--syntax-check', playbook], out, { ANSIBLE_COLLECTIONS_PATH: collections });
    const ok = await timed('syntax-check', () => check(stub));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('playbook: playbook.yml');
    // The stand-in resolves only real names: a misspelt module fails.
    const text = await readFile(join(out, 'playbook.yml'), 'utf8');
    writeFileSync(
      join(out, 'misspelt.yml'),
      text.replace('openstack.cloud.network:', 'openstack.cloud.netwrok:'),
    );
    const misspelt = await check(stub, 'misspelt.yml');
    expect(misspelt.code).not.toBe(0);
    expect(misspelt.stderr).toContain("couldn't resolve module/action 'openstack.cloud.netwrok'");
    await rm(join(out, 'misspelt.yml'));
    // Debian's own 1.10 resolves every name the playbook uses but one.
    const debian = await check(DEBIAN_COLLECTIONS);
    expect(debian.code).not.toBe(0);
    expect(debian.stderr).toContain("couldn't resolve module/action 'openstack.cloud.resource'");
  });

  it(`creates in dst, with Debian's collection 1.10, the ${REAL_RUN_TAGS.join(', ')} tasks' objects as they are in src`, async () => {
    debianCollectionLifted(join(work, 'debian'));
    // The source, seen while the playbook runs: nothing there changes.
    const sourceView = view('src', clouds, namesOf(model));
    sourceView.catch(() => undefined);
    const first = await timed('first run', realRun);
    expect(first.code, `${first.stdout.slice(-3000)}\n${first.stderr}`).toBe(0);
    const ran = results(first.stdout);
    expect(ran.failures).toBe(0);
    // Exactly the tasks the tags select, in the playbook's order.
    const selected = playbookTasks.filter(
      (t) =>
        (t.tags.includes('always') ||
          t.tags.some((tag) => (REAL_RUN_TAGS as readonly string[]).includes(tag))) &&
        !t.tags.some((tag) => (REAL_RUN_SKIP_TAGS as readonly string[]).includes(tag)),
    );
    expect(ran.tasks.map((t) => t.name)).toEqual(selected.map((t) => t.name));
    expect(new Set(selected.map((t) => t.module))).toEqual(
      new Set([
        'ansible.builtin.assert',
        'ansible.builtin.command',
        'ansible.builtin.copy',
        'openstack.cloud.keypair',
        'openstack.cloud.security_group',
        'openstack.cloud.network',
        'openstack.cloud.subnet',
        'openstack.cloud.router',
      ]),
    );
    expect(
      ran.tasks
        .filter((t) => t.name.startsWith('network ') || t.name.startsWith('subnet '))
        .every((t) => t.changed),
    ).toBe(true);

    // The data files, rebuilt from the bundle by data/assemble.sh through the playbook.
    for (const r of model.resources.filter((x) => x.data)) {
      const file = join(out, 'data', r.data?.file ?? '');
      expect(createHash('sha256').update(readFileSync(file)).digest('hex'), file).toBe(r.data?.sha256);
    }

    const names = namesOf(model);
    const [before, after] = await timed('witness', () =>
      Promise.all([sourceView, view('dst', clouds, names)]),
    );
    const one = { networks: [1, 1], subnets: [1, 1], routers: 1, groups: [1, 1], keypairs: 1 };
    expect(before.copies).toEqual(one);
    expect(after.copies).toEqual(one);
    expect(after.networks).toEqual(before.networks);
    expect(after.subnets).toEqual(before.subnets);
    expect(after.subnets.every((s) => s?.pools.length === 1 && s.hostRoutes.length === 1)).toBe(true);
    expect(after.router).toEqual(before.router);
    expect(after.router.gateway).toBe('public');
    expect(after.router.interfaces).toHaveLength(2);
    expect(after.groups).toEqual(before.groups);
    expect(after.keypairs).toEqual(before.keypairs);
    // What the run skipped (tag `resource`): network descriptions and the static route.
    expect(before.descriptions.every((d) => d.length > 0)).toBe(true);
    expect(after.descriptions).toEqual(['', '']);
    expect(before.routes).toHaveLength(1);
    expect(after.routes).toEqual([]);

    // ids.json maps source ids to the new objects (1.10's keypair and security_group modules
    // return their objects under other keys than 2.x's, so those two kinds are not in it).
    const ids = JSON.parse(await readFile(join(out, 'ids.json'), 'utf8')) as {
      bundle: string;
      idMap: Record<string, string>;
    };
    const expected = Object.fromEntries(
      model.resources
        .filter((r) => ['network.network', 'network.subnet', 'network.router'].includes(r.kind))
        .map((r) => [r.sourceId, after.ids[r.name as string]]),
    );
    expect(Object.keys(expected)).toHaveLength(5);
    expect(ids.idMap).toEqual(expected);
  });

  it('run again, it changes nothing and makes nothing twice', async () => {
    const second = await timed('second run', realRun);
    expect(second.code, `${second.stdout.slice(-3000)}\n${second.stderr}`).toBe(0);
    const ran = results(second.stdout);
    expect(ran.tasks.length).toBeGreaterThan(8);
    expect(ran.tasks.filter((t) => t.changed || t.failed)).toEqual([]);
    // The data step was skipped because its last file is there.
    expect(ran.tasks.find((t) => t.name === 'Image and volume data rebuilt from the bundle')?.msg).toMatch(
      /exists/,
    );
    const after = await view('dst', clouds, namesOf(model));
    expect(after.copies).toEqual({
      networks: [1, 1],
      subnets: [1, 1],
      routers: 1,
      groups: [1, 1],
      keypairs: 1,
    });
    expect(existsSync(join(out, 'ids.json'))).toBe(true);
  });
});
