import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openBundle } from '../../src/bundle/index.js';
import { loadGraph } from '../../src/kinds/load.js';
import type { GraphDocument } from '../../src/kinds/model.js';
import { destinationOf, type ImportReport } from '../../src/migrate/import.js';
import { statePath } from '../../src/migrate/journal.js';
import { defaultSearchEnvironment } from '../../src/openstack/config/files.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import { isNotFound } from '../../src/openstack/http/errors.js';
import * as images from '../../src/openstack/image/images/index.js';
import * as rules from '../../src/openstack/network/security-group-rules/index.js';
import * as securityGroups from '../../src/openstack/network/security-groups/index.js';
import { Session } from '../../src/openstack/session/session.js';
import type { Plan } from '../../src/plan/types.js';
import {
  createThrowaway,
  deleteThrowaway,
  type Throwaway,
  type ThrowawayClouds,
} from '../support/throwaway.js';
import { sha256Of } from '../support/hash.js';
import { listAll, lookup, type Lists } from '../support/cli-witness.js';
import { ruleText, shopView } from '../support/shop-view.js';
import { buildWorkload, deleteWorkload, type Workload } from '../support/workload.js';

const configFile = process.env['OS_CLIENT_CONFIG_FILE'];
if (!configFile) {
  console.warn(
    'import integration tests skipped: OS_CLIENT_CONFIG_FILE is unset (the test runner sets it to the local cloud).',
  );
}

const IMAGE_MIB = 4;
const BIN = fileURLToPath(new URL('../../bin/downpour.js', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `downpour ARGS` as a child process, as a user runs it; `clouds` is the clouds.yaml it reads. */
function start(args: string[], cwd: string, clouds: string) {
  const began = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, OS_CLIENT_CONFIG_FILE: clouds },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - began }));
  });
  return { child, done };
}

/**
 * What "the project as it was" means: every object by id, with the name of what it belongs to.
 * `dst` is shared, and other test runs come and go meanwhile: given `isOurs`, the objects of
 * another run (named `dp-…` by convention, or a bundle's `downpour-tmp-…`; ports, rules and
 * floating IPs by what they belong to) are left out. Throwaway projects are compared whole.
 */
function inventory(l: Lists, isOurs?: (name: string) => boolean): Record<string, string[]> {
  const subnetName = lookup(l.subnets, (s) => s.Name);
  const groupName = lookup(l.securityGroups, (g) => g.Name);
  const portName = lookup(l.ports, (p) => p.Name);
  const otherRun = (owner: string | null) =>
    !!isOurs && !!owner && /^(dp-|downpour-tmp-)/.test(owner) && !isOurs(owner);
  const rows = <T>(items: T[], owner: (t: T) => string | null, id: (t: T) => string) =>
    items
      .filter((t) => !otherRun(owner(t)))
      .map((t) => `${id(t)} ${owner(t) ?? ''}`)
      .sort();
  const byId = (t: { ID: string }) => t.ID;
  const named = <T extends { ID: string; Name: string | null }>(items: T[]) =>
    rows(items, (t) => t.Name, byId);
  return {
    servers: named(l.servers),
    networks: named(l.networks),
    subnets: named(l.subnets),
    ports: rows(l.ports, (p) => p.Name || subnetName(p['Fixed IP Addresses'][0]?.subnet_id), byId),
    routers: named(l.routers),
    floatingIps: rows(l.floatingIps, (f) => f.Description || portName(f.Port), byId),
    securityGroups: named(l.securityGroups),
    rules: rows(l.rules, (r) => groupName(r['Security Group']), byId),
    volumes: named(l.volumes),
    images: named(l.images),
    keypairs: rows(
      l.keypairs,
      (k) => k.Name,
      (k) => k.Fingerprint,
    ),
    serverGroups: named(l.serverGroups),
  };
}

/** Whatever an import of the sample workload left in a project: by name, then images by provenance. */
async function removeImported(session: Session, prefix: string, bundleId: string | undefined): Promise<void> {
  await deleteWorkload(session, prefix);
  if (!bundleId) return;
  for await (const img of images.list(session, { owner: session.project.id })) {
    if (
      img.tags.includes(`downpour:bundle=${bundleId}`) ||
      img.name?.startsWith(`downpour-tmp-${bundleId.slice(0, 8)}`)
    )
      await images.remove(session, img.id).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(!configFile)('import of the sample workload from tenant src into tenant dst', () => {
  const prefix = `dp-im-${randomBytes(4).toString('hex')}`;
  const clouds = configFile as string;
  let work: string;
  let src: Session | undefined;
  let dst: Session | undefined;
  let admin: Session | undefined;
  let workload: Workload;
  /** Throwaway projects' clouds.yaml: entries modelled on `dst`, with their own user and project. */
  let throwawayClouds: ThrowawayClouds;
  const throwaways: Throwaway[] = [];
  const throwawaySessions: Session[] = [];

  // What the round trip leaves for the other tests.
  let tar: string | undefined;
  let bundleId: string | undefined;
  let graph: GraphDocument;
  let firstImport: ImportReport;
  let dstAfterImport: Lists;

  /** Names of what this file makes in `dst` (floating IPs carry the bare prefix as description). */
  const isOurs = (name: string) =>
    name === prefix ||
    name.startsWith(`${prefix}-`) ||
    (!!bundleId && name.startsWith(`downpour-tmp-${bundleId.slice(0, 8)}-`));
  const downpour = (args: string[], cloudsFile = clouds) => start(args, work, cloudsFile).done;
  const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;
  const connectTo = async (cloud: string) => {
    const env = { ...process.env, OS_CLIENT_CONFIG_FILE: throwawayClouds.file };
    const session = await Session.connect(
      loadCloudConfig({ cloud, search: { ...defaultSearchEnvironment(), env } }),
    );
    throwawaySessions.push(session);
    return session;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    const template = (
      parseYaml(readFileSync(clouds, 'utf8')) as { clouds: Record<string, Record<string, unknown>> }
    ).clouds['dst'];
    if (!template) throw new Error(`${clouds} has no cloud "dst"`);
    throwawayClouds = { file: join(work, 'throwaway-clouds.yaml'), template, entries: {} };
    [src, dst, admin] = await Promise.all(
      ['src', 'dst', 'admin'].map((cloud) => Session.connect(loadCloudConfig({ cloud }))),
    );
    workload = await buildWorkload(src as Session, { prefix, imageMiB: IMAGE_MIB });
  });

  afterAll(async () => {
    const failures: string[] = [];
    const attempt = async (what: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`);
      }
    };
    // Each removal starts with the servers: destroy, then by name whatever a failed test left.
    if (tar && dst) {
      await attempt('destroy in dst', async () => {
        const run = await downpour(['destroy', tar as string, '--cloud', 'dst']);
        if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
      });
      await attempt('leftovers in dst', () => removeImported(dst as Session, prefix, bundleId));
    }
    for (const t of throwaways) {
      await attempt(`leftovers in ${t.name}`, async () =>
        removeImported(await connectTo(t.name), prefix, bundleId),
      );
      if (admin) await attempt(`project ${t.name}`, () => deleteThrowaway(admin as Session, t));
    }
    if (src) await attempt('the workload in src', () => deleteWorkload(src as Session, prefix));
    await Promise.all([src, dst, admin, ...throwawaySessions].flatMap((s) => (s ? [s.close()] : [])));
    if (work) await rm(work, { recursive: true, force: true });
    if (failures.length) throw new Error(`cleanup left things behind:\n${failures.join('\n')}`);
  });

  it('round trip: the shop servers and all they use arrive in dst as they are in src; the captured disk keeps its bytes', async () => {
    const selected = await downpour([
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
    expect(selected.code, selected.stderr).toBe(0);
    const exported = await downpour(['export', 'shop.yaml', '--cloud', 'src', '-o', 'shop.bundle', '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    bundleId = json<{ bundleId: string }>(exported).bundleId;
    const packed = await downpour(['pack', 'shop.bundle', '-o', 'shop.tar']);
    expect(packed.code, packed.stderr).toBe(0);
    tar = join(work, 'shop.tar');
    const reader = await openBundle(tar);
    graph = await loadGraph(reader);

    const planned = await downpour(['plan', tar, '--cloud', 'dst', '-o', 'plan.json']);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(await readFile(join(work, 'plan.json'), 'utf8')) as Plan;
    expect(plan.ok).toBe(true);
    const keys = (nodes: { key: string }[]) => nodes.map((n) => n.key).sort();
    expect(keys(plan.nodes.filter((n) => n.action === 'create'))).toEqual(
      keys(graph.nodes.filter((n) => n.disposition === 'create')),
    );

    // The source is looked at while the import runs: the export left it as it was.
    const [imported, source] = await Promise.all([
      downpour(['import', tar, '--cloud', 'dst', '--plan', 'plan.json', '--json']),
      shopView('src', clouds, prefix),
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    firstImport = json<ImportReport>(imported);
    expect(firstImport.outcome).toBe('complete');
    expect(firstImport.verification.filter((c) => !c.ok)).toEqual([]);

    const destination = await shopView('dst', clouds, prefix);
    dstAfterImport = destination.lists;
    // Not two empty views: the whole shop is there.
    expect(source.view.servers.map((s) => s.name)).toEqual([`${prefix}-db`, `${prefix}-web`]);
    expect(
      Object.fromEntries(Object.entries(source.view).map(([kind, rows]) => [kind, rows.length])),
    ).toEqual({
      servers: 2,
      networks: 2,
      subnets: 2,
      routers: 1,
      ports: 3,
      securityGroups: 2,
      volumes: 2,
      keypairs: 1,
      serverGroups: 1,
      floatingIps: 1,
    });
    expect(destination.view).toEqual(source.view);
    // The documented difference: a new floating IP address, which the report maps.
    expect(firstImport.floatingIps).toEqual([
      { source: source.fipAddresses[0], destination: destination.fipAddresses[0] },
    ]);
    expect(destination.fipAddresses[0]).not.toBe(source.fipAddresses[0]);

    // The web server's captured disk: the bytes at dst are the bundle's.
    const disk = graph.nodes.find((n) => n.key === `image.image:server-disk:${workload.servers.web}`);
    if (!disk?.data) throw new Error('the bundle has no captured disk of the web server');
    const inBundle = await sha256Of(await reader.openData(disk.data));
    expect(inBundle.hex).toBe(disk.dataInfo?.sha256);
    const imageId = firstImport.idMap[disk.sourceId] as string;
    expect(destination.lists.images.find((i) => i.ID === imageId)).toMatchObject({
      Name: disk.name,
      Size: inBundle.bytes,
      Status: 'active',
    });
    const download = await images.download(dst as Session, imageId);
    expect(await sha256Of(download.data)).toEqual(inBundle);
  });

  it('rerunning the same import changes nothing: exit 0, every node keeps its object, no duplicates', async () => {
    const again = await downpour([
      'import',
      tar as string,
      '--cloud',
      'dst',
      '--plan',
      'plan.json',
      '--json',
    ]);
    expect(again.code, again.stderr).toBe(0);
    const report = json<ImportReport>(again);
    expect(report.outcome).toBe('complete');
    const outcome = (r: ImportReport) => r.nodes.map((n) => `${n.key} ${n.status} ${n.targetId ?? ''}`);
    expect(outcome(report)).toEqual(outcome(firstImport));
    expect(new Set(report.nodes.map((n) => n.status))).toEqual(new Set(['created', 'mapped']));
    expect(report.verification.filter((c) => !c.ok)).toEqual([]);
    expect(inventory(await listAll('dst', clouds), isOurs)).toEqual(inventory(dstAfterImport, isOurs));
  });

  it('a destination short of floating IP quota is refused by preflight (exit 4, naming it) and nothing is created', async () => {
    const short = await createThrowaway(admin as Session, `${prefix}-short`, throwawayClouds);
    throwaways.push(short);
    await (admin as Session).json('network', {
      method: 'PUT',
      path: `quotas/${short.projectId}`,
      json: { quota: { floatingip: 0 } },
      ok: [200],
    });
    const file = throwawayClouds.file;
    const before = await listAll(short.name, file);
    const refusal = 'network quota: needs 1 floating IPs, 0 left of 0';
    const errors = (run: Run) =>
      run.stderr
        .split('\n')
        .filter((l) => l.startsWith('  - '))
        .map((l) => l.slice(4));

    const planned = await downpour(['plan', tar as string, '--cloud', short.name], file);
    expect(planned.code, planned.stderr).toBe(4);
    expect(errors(planned)).toEqual([refusal]);
    const imported = await downpour(['import', tar as string, '--cloud', short.name], file);
    expect(imported.code, imported.stderr).toBe(4);
    expect(imported.stderr).toContain('preflight refused the import, nothing was created');
    expect(errors(imported)).toEqual([refusal]);

    const after = await listAll(short.name, file);
    expect(inventory(after)).toEqual(inventory(before));
    expect([...after.servers, ...after.volumes, ...after.images, ...after.routers]).toEqual([]);
    expect(after.networks.map((n) => n.Name)).toEqual(['public']);
    const journal = statePath(tar as string, bundleId as string, destinationOf(await connectTo(short.name)));
    await expect(stat(journal)).rejects.toThrow(/ENOENT/);
  });

  it('destroy leaves a project as it was before the import; of its default group it takes back only the rules it merged', async () => {
    const file = throwawayClouds.file;
    const source = await createThrowaway(admin as Session, `${prefix}-defsrc`, throwawayClouds);
    throwaways.push(source);
    const fresh = await createThrowaway(admin as Session, `${prefix}-fresh`, throwawayClouds);
    throwaways.push(fresh);

    // The source project's default group has rules of its own, one of them naming the group itself.
    const sourceSession = await connectTo(source.name);
    let defaultGroup: securityGroups.SecurityGroup | undefined;
    for await (const g of securityGroups.list(sourceSession, {
      name: 'default',
      project_id: source.projectId,
    }))
      defaultGroup = g;
    if (!defaultGroup) throw new Error(`project ${source.name} has no default security group`);
    for (const rule of [
      { protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '203.0.113.0/24' },
      { protocol: 'icmp' },
      { protocol: 'tcp', port_range_min: 8080, port_range_max: 8080, remote_group_id: defaultGroup.id },
    ]) {
      await rules.create(sourceSession, {
        security_group_id: defaultGroup.id,
        direction: 'ingress',
        ethertype: 'IPv4',
        ...rule,
      });
    }
    const selected = await downpour(
      ['select', '--cloud', source.name, '--security-group', 'default', '-o', 'default.yaml'],
      file,
    );
    expect(selected.code, selected.stderr).toBe(0);
    const exported = await downpour(
      ['export', 'default.yaml', '--cloud', source.name, '-o', 'default.bundle'],
      file,
    );
    expect(exported.code, exported.stderr).toBe(0);

    const before = await listAll(fresh.name, file);
    const importedShop = await downpour(['import', tar as string, '--cloud', fresh.name, '--json'], file);
    expect(importedShop.code, importedShop.stderr).toBe(0);
    expect(json<ImportReport>(importedShop).outcome).toBe('complete');
    const importedDefault = await downpour(
      ['import', 'default.bundle', '--cloud', fresh.name, '--json'],
      file,
    );
    expect(importedDefault.code, importedDefault.stderr).toBe(0);
    expect(
      json<ImportReport>(importedDefault)
        .nodes.map((n) => `${n.kind} ${n.action} ${n.status}`)
        .sort(),
    ).toEqual(['network.security-group merge merged', 'network.security-group-rules merge merged']);

    const during = await listAll(fresh.name, file);
    const defaultRules = (l: Lists) => {
      const group = l.securityGroups.find((g) => g.Name === 'default');
      const groupName = lookup(l.securityGroups, (g) => g.Name);
      return l.rules
        .filter((r) => r['Security Group'] === group?.ID)
        .map((r) => ruleText(r, groupName))
        .sort();
    };
    expect(defaultRules(during)).toEqual(
      [
        ...defaultRules(before),
        'ingress IPv4 tcp ports 22:22 from 203.0.113.0/24',
        'ingress IPv4 icmp ports any from 0.0.0.0/0',
        'ingress IPv4 tcp ports 8080:8080 from group default',
      ].sort(),
    );
    expect(during.servers.map((s) => s.Name).sort()).toEqual([`${prefix}-db`, `${prefix}-web`]);

    for (const bundle of ['default.bundle', tar as string]) {
      const destroyed = await downpour(['destroy', bundle, '--cloud', fresh.name], file);
      expect(destroyed.code, destroyed.stderr).toBe(0);
    }
    expect(inventory(await listAll(fresh.name, file))).toEqual(inventory(before));
  });
});
