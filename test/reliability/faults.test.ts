import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../src/bundle/index.js';
import { loadGraph } from '../../src/kinds/load.js';
import type { ImportReport } from '../../src/migrate/import.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import * as images from '../../src/openstack/image/images/index.js';
import * as floatingIps from '../../src/openstack/network/floating-ips/index.js';
import { Session } from '../../src/openstack/session/session.js';
import {
  FAULT_KINDS,
  proxiedCloudsYaml,
  startFaultProxy,
  type FaultKind,
  type FaultProxy,
  type FaultRule,
} from '../support/fault-proxy.js';
import { buildWorkload, deleteWorkload, type Workload } from '../support/workload.js';
import {
  collect,
  configFile,
  downpour,
  explain,
  NAMED_KINDS,
  namesWithPrefix,
  sha256Of,
  writeSummary,
  type FaultRow,
  type Run,
} from './support.js';

if (!configFile) console.warn('reliability tests skipped: OS_CLIENT_CONFIG_FILE is unset.');

/**
 * The faults every phase gets: some at chosen requests (so each kind is certainly injected),
 * the rest at low seeded rates. Statuses and resets are answered by the proxy without
 * forwarding, so a retried POST cannot create twice; a 500, which may have done the work,
 * is only injected into reads.
 */
function mix(extra: FaultRule[]): FaultRule[] {
  return [
    ...extra,
    { fault: { kind: 'expired-token' }, at: [10, 60] },
    { fault: { kind: 'status', status: 503 }, at: [5, 40], rate: 0.02 },
    { fault: { kind: 'status', status: 502 }, at: [25] },
    { fault: { kind: 'status', status: 500 }, match: { method: 'GET' }, at: [12], rate: 0.01 },
    {
      fault: { kind: 'reset-before-response' },
      match: { method: ['GET', 'DELETE'] },
      at: [8, 30],
      rate: 0.01,
    },
    { fault: { kind: 'retry-after-429', seconds: 1 }, at: [15], rate: 0.01 },
    { fault: { kind: 'slow', ms: 1500 }, at: [3, 20], rate: 0.01 },
  ];
}

/** Downloads break half-way (the first, and a later one); each must resume in the same run. */
const EXPORT_FAULTS = mix([{ fault: { kind: 'reset-mid-body' }, at: [1, 3] }]);
/** Uploads break half-way (twice, the second may hit the retry of the first) or get a 503. */
const IMPORT_FAULTS = mix([
  { fault: { kind: 'reset-mid-upload' }, at: [1, 2] },
  {
    fault: { kind: 'status', status: 503 },
    match: { service: 'glance', method: 'PUT', path: /\/file$/ },
    at: [2],
  },
]);

describe.skipIf(!configFile)('export and import through a proxy that injects faults', () => {
  const prefix = `dp-rl-${randomBytes(4).toString('hex')}`;
  let work: string;
  let src: Session;
  let dst: Session;
  let workload: Workload;
  let proxy: FaultProxy;
  /** clouds.yaml whose auth_url (and so every endpoint) goes through the proxy. */
  let proxied: string;
  let imported = false;
  let destroyed = false;
  const rows: FaultRow[] = [];

  const viaProxy = (args: string[]) => downpour(args, { cwd: work, env: { OS_CLIENT_CONFIG_FILE: proxied } });
  const direct = (args: string[]) => downpour(args, { cwd: work });

  /** Runs a phase under `rules`, and records what the proxy injected during it. */
  async function phase(name: string, rules: FaultRule[], seed: number, run: () => Promise<void>) {
    const before = { ...proxy.injected };
    proxy.setRules(rules, seed);
    try {
      await run();
    } finally {
      proxy.setRules([]);
      for (const kind of FAULT_KINDS) {
        const injected = proxy.injected[kind] - before[kind];
        if (injected > 0) rows.push({ phase: name, kind, injected, survived: false });
      }
    }
  }

  /** Called once every check of a phase passed: its faults were survived. */
  const survived = (name: string) => rows.filter((r) => r.phase === name).forEach((r) => (r.survived = true));

  const injectedIn = (name: string, kind: FaultKind) =>
    rows.filter((r) => r.phase === name && r.kind === kind).reduce((n, r) => n + r.injected, 0);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    src = await Session.connect(loadCloudConfig({ cloud: 'src' }));
    dst = await Session.connect(loadCloudConfig({ cloud: 'dst' }));
    proxy = await startFaultProxy({ seed: 20_261_125 });
    proxied = join(work, 'clouds.yaml');
    await writeFile(proxied, proxiedCloudsYaml(await readFile(configFile as string, 'utf8'), proxy), {
      mode: 0o600,
    });
    workload = await buildWorkload(src, { prefix, imageMiB: 8 });
  });

  afterAll(async () => {
    writeSummary('faults', { faults: rows });
    try {
      if (imported && !destroyed)
        await direct(['destroy', 'shop.bundle', '--cloud', 'dst', '--state', 'state.json']);
    } finally {
      // By name: also what a failed build, export or import left behind, in both tenants.
      if (src) await deleteWorkload(src, prefix).catch((err: unknown) => console.warn(String(err)));
      if (dst) await deleteWorkload(dst, prefix).catch((err: unknown) => console.warn(String(err)));
      await proxy?.close();
      await src?.close();
      await dst?.close();
      if (work) await rm(work, { recursive: true, force: true });
    }
  });

  it('the catalog Downpour learns through the proxy points only at the proxy', async () => {
    const run = await viaProxy(['clouds', '--cloud', 'src', '--json']);
    expect(run.code, explain(run)).toBe(0);
    const description = JSON.parse(run.stdout) as { services: { type: string; endpoint: string | null }[] };
    const endpoints = description.services.map((s) => s.endpoint).filter((e): e is string => Boolean(e));
    expect(endpoints.length).toBeGreaterThan(5);
    for (const e of endpoints) expect(proxy.ports).toContain(Number(new URL(e).port));
  });

  it('exports through 5xx, resets before and in the middle of downloads, 429, slow answers and an expired token, with the same data as the source', async () => {
    let exported: Run | undefined;
    await phase('export', EXPORT_FAULTS, 1, async () => {
      const selected = await viaProxy([
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
      expect(selected.code, explain(selected)).toBe(0);
      exported = await viaProxy([
        'export',
        'shop.yaml',
        '--cloud',
        'src',
        '-o',
        'shop.bundle',
        '--json',
        '--debug',
      ]);
      expect(exported.code, explain(exported)).toBe(0);
    });
    const run = exported as Run;
    // The retries are visible: the HTTP client's and the download's own resume.
    expect(run.stderr).toMatch(/retry \d+\/\d+ of GET/);
    expect(run.stderr).toMatch(/retry \d+\/\d+ of the download of .* from byte \d+/);
    expect(run.stderr).toMatch(/re-authenticating once/);
    for (const kind of [
      'reset-mid-body',
      'status',
      'reset-before-response',
      'retry-after-429',
      'slow',
      'expired-token',
    ] as const)
      expect(injectedIn('export', kind), kind).toBeGreaterThan(0);

    const verified = await direct(['verify', 'shop.bundle']);
    expect(verified.code, explain(verified)).toBe(0);
    const reader = await openBundle(join(work, 'shop.bundle'));
    const graph = await loadGraph(reader);
    // The web server's disk, snapshotted: the fake driver's snapshot holds the image's bytes.
    const disk = graph.nodes.find((n) => n.key === `image.image:server-disk:${workload.servers.web}`);
    expect(disk?.data).toBeDefined();
    expect(await sha256Of(await reader.openData(disk!.data!))).toBe(workload.imageSha256);
    // Every captured item carries the source's own hash, which the export checked on the way.
    for (const n of graph.nodes.filter((x) => x.data)) expect(n.dataInfo?.source_hash).toBeDefined();
    survived('export');
  });

  it('imports through the same mix and resets in the middle of uploads: every node created exactly once, every check ok, the data equal', async () => {
    let run: Run | undefined;
    await phase('import', IMPORT_FAULTS, 2, async () => {
      run = await viaProxy([
        'import',
        'shop.bundle',
        '--cloud',
        'dst',
        '--state',
        'state.json',
        '--json',
        '--debug',
      ]);
      imported = true;
      expect(run.code, explain(run)).toBe(0);
    });
    const done = run as Run;
    expect(done.stderr).toMatch(/retry \d+\/\d+ of the upload of/);
    expect(done.stderr).toMatch(/retry \d+\/\d+ of (GET|POST|PUT|DELETE)/);
    expect(injectedIn('import', 'reset-mid-upload')).toBeGreaterThan(0);

    const report = JSON.parse(done.stdout) as ImportReport;
    expect(report.outcome).toBe('complete');
    expect(report.verification.filter((c) => !c.ok)).toEqual([]);
    expect(report.verification.length).toBeGreaterThan(3);

    // The witness: what dst holds under the workload's names is exactly what the report created, once each.
    const created = report.nodes.filter((n) => n.status === 'created');
    for (const [kind, list] of Object.entries(NAMED_KINDS)) {
      const expected = created
        .filter((n) => n.kind === kind && n.name)
        .map((n) => n.name as string)
        .sort();
      const wanted = new Set(expected);
      const actual = (await collect(list(dst)))
        .map((o) => o.name ?? '')
        .filter((name) => wanted.has(name) || name.startsWith(`${prefix}-`))
        .sort();
      expect(actual, kind).toEqual(expected);
    }
    const fips = (await collect(floatingIps.list(dst, { tags: [`downpour:bundle=${report.bundleId}`] })))
      .length;
    expect(fips).toBe(created.filter((n) => n.kind === 'network.floating-ip').length);

    const imageId = report.idMap[`server-disk:${workload.servers.web}`];
    expect(imageId).toBeDefined();
    const copy = await images.download(dst, imageId as string);
    expect(await sha256Of(copy.data)).toBe(workload.imageSha256);
    survived('import');
  });

  it('destroy, without the proxy, removes everything the faulty import created', async () => {
    const run = await direct(['destroy', 'shop.bundle', '--cloud', 'dst', '--state', 'state.json']);
    expect(run.code, explain(run)).toBe(0);
    destroyed = true;
    expect(await namesWithPrefix(dst, prefix)).toEqual({});
  });
});
