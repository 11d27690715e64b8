import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openBundle, type BundleReader } from '../../src/bundle/index.js';
import { loadGraph } from '../../src/kinds/load.js';
import type { GraphNode } from '../../src/kinds/model.js';
import type { ExportReport } from '../../src/migrate/export.js';
import type { ImportReport } from '../../src/migrate/import.js';
import type { ImportStateFile } from '../../src/migrate/journal.js';
import * as volumes from '../../src/openstack/block-storage/volumes/index.js';
import * as servers from '../../src/openstack/compute/servers/index.js';
import { defaultSearchEnvironment } from '../../src/openstack/config/files.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import * as images from '../../src/openstack/image/images/index.js';
import * as floatingIps from '../../src/openstack/network/floating-ips/index.js';
import { Session } from '../../src/openstack/session/session.js';
import {
  proxiedCloudsYaml,
  startFaultProxy,
  type FaultProxy,
  type HoldStage,
  type ProxiedRequest,
} from '../support/fault-proxy.js';
import { createThrowaway, deleteThrowaway } from '../support/throwaway.js';
import { buildWorkload, deleteWorkload, type Workload } from '../support/workload.js';
import {
  idIn,
  request,
  runAndKill,
  sweep,
  targetsJournalled,
  temporariesIn,
  temporariesJournalled,
  volumeDataSha256,
} from './kill-points.js';
import {
  collect,
  configFile,
  downpour,
  explain,
  NAMED_KINDS,
  namesWithPrefix,
  sha256Of,
  writeSummary,
  type KillRow,
} from './support.js';

if (!configFile) console.warn('reliability tests skipped: OS_CLIENT_CONFIG_FILE is unset.');

/** A kill point whose request is recognised with what the killed run has journalled so far. */
interface JournalPoint {
  moment: string;
  stage: HoldStage;
  nth?: number;
  /** `journalled(what)`: ids the run's journal holds, by temporary type (export) or kind (import). */
  match(req: ProxiedRequest, journalled: (what: string) => string[]): boolean;
  /** What the finished rerun must also show. */
  then?(report: ExportReport, expect: ExpectStatic): void;
}

/**
 * Export: one workload, two lanes at once on two servers (Nova gives a server one task at a
 * time): the web server (its disk snapshot and its attached volume, the commit) and the db server
 * (its boot volume: a snapshot, a temporary volume, an upload to an image, the download).
 */
const WEB_POINTS: JournalPoint[] = [
  {
    moment: 'the closure reads the dependencies (nothing made yet)',
    stage: 'request',
    match: (r) => r.service === 'neutron' && r.method === 'GET',
  },
  {
    moment: 'Nova took the server snapshot; its answer is lost (not journalled)',
    stage: 'response',
    match: request('nova', 'POST', /^\/v2\.1\/servers\/[^/]+\/action$/),
  },
  {
    moment: 'the server snapshot is being made (journalled)',
    stage: 'request',
    match: (r, journalled) =>
      request('glance', 'GET', /^\/v2\/images\/[^/?]+$/)(r) &&
      journalled('image').includes(idIn(r.path) ?? ''),
  },
  {
    moment: 'all data is in, the temporaries are gone, index.json is not written',
    stage: 'request',
    // The second look for temporaries (the first page of it), just before the commit.
    nth: 2,
    match: (r) => request('glance', 'GET', /^\/v2\/images\?/)(r) && !r.path.includes('marker='),
    then: (report, expect) => expect(report.downloadedBytes, 'downloaded again').toBe(0),
  },
];
const DB_POINTS: JournalPoint[] = [
  {
    moment: 'Cinder took the volume snapshot; its answer is lost (not journalled)',
    stage: 'response',
    match: request('cinder', 'POST', /\/snapshots$/),
  },
  {
    moment: 'the temporary volume is being made from the snapshot (journalled)',
    stage: 'request',
    match: (r, journalled) =>
      request('cinder', 'GET', /\/volumes\/[^/?]+$/)(r) && journalled('volume').includes(idIn(r.path) ?? ''),
  },
  {
    moment: 'Cinder took the upload to an image; its answer is lost (volume uploading)',
    stage: 'response',
    match: request('cinder', 'POST', /\/volumes\/[^/]+\/action$/),
  },
  {
    moment: 'half of the first data download is in',
    stage: 'mid-response',
    match: request('glance', 'GET', /^\/v2\/images\/[^/]+\/file$/),
  },
];

/** Import: the web server's bundle, each point into a project of its own, three at a time. */
const IMPORT_POINTS: JournalPoint[] = [
  {
    moment: 'the first create is journalled as intended but never reached the cloud',
    stage: 'request',
    match: (r) => r.service !== 'keystone' && r.method === 'POST',
  },
  {
    moment: 'Nova made the keypair; its answer is lost (a keypair has no tags)',
    stage: 'response',
    match: request('nova', 'POST', /^\/v2\.1\/os-keypairs$/),
  },
  {
    moment: 'half of the first image upload is sent',
    stage: 'mid-request',
    match: request('glance', 'PUT', /^\/v2\/images\/[^/]+\/file$/),
  },
  {
    moment: 'Nova took the server create; its answer is lost (not journalled)',
    stage: 'response',
    match: request('nova', 'POST', /^\/v2\.1\/servers$/),
  },
  {
    moment: 'the server is building (journalled, waiting for ACTIVE)',
    stage: 'request',
    match: (r, journalled) =>
      request('nova', 'GET', /^\/v2\.1\/servers\/[^/?]+$/)(r) &&
      journalled('compute.server').includes(idIn(r.path) ?? ''),
  },
  {
    moment: 'the floating IP is made but not yet tagged',
    stage: 'request',
    match: request('neutron', 'PUT', /^\/v2\.0\/floatingips\/[^/]+\/tags$/),
  },
];
const IMPORT_LANES = 3;

describe.skipIf(!configFile)(
  'kill -9 at chosen moments of export and import, then the same command again',
  () => {
    const prefix = `dp-kl-${randomBytes(4).toString('hex')}`;
    let work: string;
    let clouds: string;
    let src: Session | undefined;
    let admin: Session | undefined;
    let workload: Workload | undefined;
    const proxies: FaultProxy[] = [];
    const rows: KillRow[] = [];
    /** Every bundle an export began: none may leave a temporary in the source. */
    const bundleIds = new Set<string>();
    /** Destroying an import's project runs beside the next points; awaited at the end. */
    const cleanups: Promise<string | undefined>[] = [];
    /** The first web bundle whose export survived its kill: what the imports import. */
    let exported: (bundle: string | undefined) => void = () => undefined;
    const webBundle = new Promise<string | undefined>((resolve) => (exported = resolve));

    /** A proxy of its own for each lane, since lanes run at the same time. */
    async function laneProxy(): Promise<FaultProxy> {
      const proxy = await startFaultProxy();
      proxies.push(proxy);
      return proxy;
    }

    /** A clouds.yaml whose clouds go through `proxy`, as the environment of a run. */
    async function through(proxy: FaultProxy, cloudsText: string, name: string) {
      const file = join(work, `${name}-proxied.yaml`);
      await writeFile(file, proxiedCloudsYaml(cloudsText, proxy), { mode: 0o600 });
      return { OS_CLIENT_CONFIG_FILE: file };
    }

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), `${prefix}-`));
      clouds = await readFile(configFile as string, 'utf8');
      [src, admin] = await Promise.all(
        ['src', 'admin'].map((cloud) => Session.connect(loadCloudConfig({ cloud }))),
      );
      workload = await buildWorkload(src as Session, { prefix, imageMiB: 4 });
      for (const server of ['web', 'db']) {
        const args = ['select', '--cloud', 'src', '--server', `${prefix}-${server}`, '-o', `${server}.yaml`];
        const selected = await downpour(args, { cwd: work });
        if (selected.code !== 0) throw new Error(explain(selected));
      }
    });

    afterAll(async () => {
      writeSummary('kill', { kills: rows });
      exported(undefined);
      const failures = (await Promise.all(cleanups)).filter((f): f is string => f !== undefined);
      if (src) {
        await deleteWorkload(src, prefix).catch((err: unknown) => failures.push(String(err)));
        for (const id of bundleIds) {
          const left = await temporariesIn(src, id).catch((err: unknown) => [String(err)]);
          if (left.length) failures.push(`temporaries of bundle ${id}: ${left.join(', ')}`);
        }
      }
      await Promise.all(proxies.map((p) => p.close()));
      await Promise.all([src, admin].flatMap((s) => (s ? [s.close()] : [])));
      if (work) await rm(work, { recursive: true, force: true });
      if (failures.length) throw new Error(`cleanup left things behind:\n${failures.join('\n')}`);
    });

    /** SHA-256 of the bytes a volume holds, from its qcow2 in a bundle, by digest (most points store the same). */
    const volumeBytes = new Map<string, Promise<string>>();
    const volumeSha256 = (reader: BundleReader, node: GraphNode) => {
      const digest = node.data?.digest ?? '';
      const hex = volumeBytes.get(digest) ?? volumeDataSha256(reader, node, work);
      volumeBytes.set(digest, hex);
      return hex;
    };

    /** What the source's volumes hold (both were made from the image): its bytes, then zeros. */
    let sourceVolume: Promise<string> | undefined;
    function sourceVolumeSha256(w: Workload, volumeId: string): Promise<string> {
      sourceVolume ??= (async () => {
        const size = (await volumes.get(src as Session, volumeId)).size * 1024 ** 3;
        const hash = createHash('sha256').update(w.imageData);
        const zeros = Buffer.alloc(16 * 1024 * 1024);
        for (let left = size - w.imageData.length; left > 0; left -= zeros.length)
          hash.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
        return hash.digest('hex');
      })();
      return sourceVolume;
    }

    /** Kill an export of `server` at each point, run it again, and check the bundle and the source. */
    async function exportSweep(server: 'web' | 'db', points: JournalPoint[], expect: ExpectStatic) {
      const w = workload as Workload;
      const proxy = await laneProxy();
      const env = await through(proxy, clouds, `export-${server}`);
      const serverId = w.servers[server];
      const volumeId = server === 'web' ? w.volumes.data : w.volumes.boot;
      const failures = await sweep('export', points, rows, async (point, row) => {
        const bundle = join(work, `${server}-${points.indexOf(point) + 1}.bundle`);
        const args = ['export', `${server}.yaml`, '--cloud', 'src', '-o', bundle, '--json'];
        const at = {
          ...point,
          match: (r: ProxiedRequest) => point.match(r, (t) => temporariesJournalled(bundle, t)),
        };
        const killed = await runAndKill(proxy, at, args, { cwd: work, env });
        row.killed = true;
        row.killedAfter = killed.run.ms / 1000;
        const pendingFile = join(bundle, 'ingest', 'pending.json');
        const bundleId = (JSON.parse(await readFile(pendingFile, 'utf8')) as { bundleId: string }).bundleId;
        bundleIds.add(bundleId);

        const again = await downpour(args, { cwd: work, env });
        row.rerunSeconds = again.ms / 1000;
        expect(again.code, explain(again)).toBe(0);
        const report = JSON.parse(again.stdout) as ExportReport;
        expect(report.bundleId).toBe(bundleId);
        point.then?.(report, expect);
        const verified = await downpour(['verify', bundle], { cwd: work });
        expect(verified.code, explain(verified)).toBe(0);

        const reader = await openBundle(bundle);
        const graph = await loadGraph(reader);
        const data = (key: string) => {
          const node = graph.nodes.find((n) => n.key === key);
          if (!node?.data) throw new Error(`the bundle has no data for ${key}`);
          return node;
        };
        if (server === 'web') {
          const disk = data(`image.image:server-disk:${serverId}`);
          expect(await sha256Of(await reader.openData(disk.data!)), 'the server disk').toBe(w.imageSha256);
        }
        const volume = data(`block-storage.volume:${volumeId}`);
        expect(await volumeSha256(reader, volume), 'the volume').toBe(await sourceVolumeSha256(w, volumeId));

        // The source is as it was: no temporary left, the server running with no task, its volume attached.
        expect(await temporariesIn(src as Session, bundleId)).toEqual([]);
        const s = await servers.get(src as Session, serverId);
        expect([s.status, s['OS-EXT-STS:task_state'] ?? null]).toEqual(['ACTIVE', null]);
        const v = await volumes.get(src as Session, volumeId);
        expect([v.status, v.attachments.map((a) => a.server_id)]).toEqual(['in-use', [serverId]]);
        if (server === 'web') exported(bundle);
      });
      if (server === 'web') exported(undefined);
      expect(failures).toEqual([]);
    }

    it.concurrent(
      'export of a server with its disk and an attached volume, killed in every phase and run again: the bundle verifies, holds the source data, and no temporary is left',
      ({ expect }) => exportSweep('web', WEB_POINTS, expect),
    );

    it.concurrent(
      'export of a server booted from a volume, killed while its snapshot, temporary volume, upload and download are made, and run again: the same',
      ({ expect }) => exportSweep('db', DB_POINTS, expect),
    );

    it.concurrent(
      'import killed in every phase and run again: exactly one of everything, nothing left over, the data equal',
      async ({ expect }) => {
        const bundle = await webBundle;
        if (!bundle) throw new Error('no export of the web server survived its kill: nothing to import');
        const w = workload as Workload;
        const graph = await loadGraph(await openBundle(bundle));
        const created = graph.nodes.filter((n) => n.disposition === 'create');
        const expectedNames = Object.fromEntries(
          Object.keys(NAMED_KINDS)
            .map((kind) => [kind, created.filter((n) => n.kind === kind).map((n) => n.name ?? '')] as const)
            .filter(([, names]) => names.length > 0)
            .map(([kind, names]) => [kind, names.sort()]),
        );
        const disk = created.find((n) => n.key === `image.image:server-disk:${w.servers.web}`);
        if (!disk?.dataInfo) throw new Error('the bundle has no captured disk');
        const template = (parseYaml(clouds) as { clouds: Record<string, Record<string, unknown>> }).clouds[
          'dst'
        ];
        if (!template) throw new Error(`${configFile} has no cloud "dst"`);
        const lanes = await Promise.all(Array.from({ length: IMPORT_LANES }, laneProxy));

        const failures = await sweep(
          'import',
          IMPORT_POINTS,
          rows,
          async (point, row, lane) => {
            // A project of its own: "exactly one of each" is a plain count, and nothing else is there.
            const n = IMPORT_POINTS.indexOf(point) + 1;
            const direct = { file: join(work, `import-${n}.yaml`), template, entries: {} };
            const project = await createThrowaway(admin as Session, `${prefix}-i${n}`, direct);
            const proxy = lanes[lane] as FaultProxy;
            const proxied = await through(proxy, await readFile(direct.file, 'utf8'), `import-${n}`);
            const env = { ...process.env, OS_CLIENT_CONFIG_FILE: direct.file };
            const dst = await Session.connect(
              loadCloudConfig({ cloud: project.name, search: { ...defaultSearchEnvironment(), env } }),
            );
            const state = join(work, `import-${n}.state.json`);
            const args = ['import', bundle, '--cloud', project.name, '--state', state, '--json'];
            const options = { cwd: work, env: proxied };
            try {
              const at = {
                ...point,
                match: (r: ProxiedRequest) => point.match(r, (k) => targetsJournalled(state, k)),
              };
              const killed = await runAndKill(proxy, at, args, options);
              row.killed = true;
              row.killedAfter = killed.run.ms / 1000;

              const again = await downpour(args, options);
              row.rerunSeconds = again.ms / 1000;
              expect(again.code, explain(again)).toBe(0);
              const report = JSON.parse(again.stdout) as ImportReport;
              expect(report.outcome).toBe('complete');
              expect(report.verification.length).toBeGreaterThan(0);
              expect(report.verification.filter((c) => !c.ok)).toEqual([]);

              expect(await namesWithPrefix(dst, prefix)).toEqual(expectedNames);
              const imagesThere = await collect(images.list(dst, { owner: project.projectId }));
              expect(imagesThere.map((i) => i.name).sort(), 'images, temporaries included').toEqual(
                expectedNames['image.image'] ?? [],
              );
              const fips = await collect(floatingIps.list(dst));
              expect(fips.map((f) => f.tags?.includes(`downpour:bundle=${report.bundleId}`))).toEqual([true]);
              const journal = JSON.parse(await readFile(state, 'utf8')) as ImportStateFile;
              const unfinished = Object.entries(journal.entries).filter(
                ([, e]) =>
                  !['mapped', 'reused', 'merged'].includes(e.status) && e.extra?.['complete'] !== true,
              );
              expect(unfinished).toEqual([]);
              expect(Object.keys(journal.entries).sort()).toEqual(graph.nodes.map((x) => x.key).sort());
              const copy = await images.download(dst, report.idMap[disk.sourceId] as string);
              expect(await sha256Of(copy.data), 'the disk at the destination').toBe(disk.dataInfo?.sha256);
            } finally {
              cleanups.push(
                (async () => {
                  const destroyed = await downpour(
                    ['destroy', bundle, '--cloud', project.name, '--state', state],
                    {
                      cwd: work,
                      env: { OS_CLIENT_CONFIG_FILE: direct.file },
                    },
                  );
                  const left = await namesWithPrefix(dst, prefix);
                  await deleteWorkload(dst, prefix).catch(() => undefined);
                  await deleteThrowaway(admin as Session, project);
                  await dst.close();
                  if (destroyed.code !== 0) return explain(destroyed);
                  if (Object.keys(left).length)
                    return `destroy left ${JSON.stringify(left)} in ${project.name}`;
                  return undefined;
                })().catch((err: unknown) => `cleaning up ${project.name}: ${String(err)}`),
              );
            }
          },
          IMPORT_LANES,
        );
        expect(failures).toEqual([]);
      },
    );
  },
);
