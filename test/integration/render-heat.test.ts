import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../src/bundle/index.js';
import { loadGraph } from '../../src/kinds/load.js';
import type { KindName } from '../../src/kinds/model.js';
import type { ImportReport } from '../../src/migrate/import.js';
import { UPLOAD_TAG } from '../../src/render/heat/scripts.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import { isNotFound } from '../../src/openstack/http/errors.js';
import * as images from '../../src/openstack/image/images/index.js';
import { Session } from '../../src/openstack/session/session.js';
import { workloadSummary, type ShownNames, type WorkloadSummary } from '../support/cli-witness.js';
import { buildWorkload, deleteWorkload } from '../support/workload.js';

const configFile = process.env['OS_CLIENT_CONFIG_FILE'];
if (!configFile) {
  console.warn(
    'render-heat integration test skipped: OS_CLIENT_CONFIG_FILE is unset (the test runner sets it to the local cloud).',
  );
}

const IMAGE_MIB = 4;
const BIN = fileURLToPath(new URL('../../bin/downpour.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A command as a user runs it, with the local cloud's clouds.yaml and `dst` as the default cloud. */
function run(command: string, args: string[], cwd: string, clouds: string): Promise<Run> {
  const began = Date.now();
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, OS_CLIENT_CONFIG_FILE: clouds, OS_CLOUD: 'dst' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - began }));
  });
}

const ok = (r: Run, what: string) => expect(r.code, `${what}:\n${r.stdout}\n${r.stderr}`).toBe(0);

describe.skipIf(!configFile)('downpour render --format heat, applied with Heat in tenant dst', () => {
  const prefix = `dp-rh-${randomBytes(4).toString('hex')}`;
  const stack = `${prefix}-stack`;
  const clouds = configFile as string;
  let work: string;
  let src: Session | undefined;
  let dst: Session | undefined;
  let bundleId: string | undefined;
  /** What exists in dst and must go in afterAll, also after a failure. */
  let imported = false;
  let stackCreated = false;
  /** The src workload's removal, started once the export is done; resolves to its error, if any. */
  let srcCleanup: Promise<unknown> | undefined;
  const timings: string[] = [];
  const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    const began = Date.now();
    try {
      return await step();
    } finally {
      timings.push(`${what} ${((Date.now() - began) / 1000).toFixed(1)} s`);
    }
  };
  const downpour = (args: string[]) => run(process.execPath, [BIN, ...args], work, clouds);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    [src, dst] = await Promise.all(
      ['src', 'dst'].map((cloud) => Session.connect(loadCloudConfig({ cloud }))),
    );
    await timed('build the workload in src', () =>
      buildWorkload(src as Session, { prefix, imageMiB: IMAGE_MIB }),
    );
  });

  afterAll(async () => {
    const failures: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`);
      }
    };
    const cleanDst = async () => {
      if (imported)
        await attempt('downpour destroy in dst', async () => {
          const r = await downpour(['destroy', 'shop.bundle', '--cloud', 'dst']);
          if (r.code !== 0) throw new Error(r.stderr);
        });
      if (stackCreated)
        await attempt('the stack', async () => {
          const r = await run('openstack', ['stack', 'delete', '-y', '--wait', stack], work, clouds);
          if (r.code !== 0 && !/not found/i.test(r.stderr)) throw new Error(r.stderr);
        });
      if (dst && bundleId) {
        const session = dst;
        const tag = `${UPLOAD_TAG}=${bundleId}`;
        await attempt('the uploaded images', async () => {
          for await (const img of images.list(session, { tag: [tag], owner: session.project.id }))
            await images.remove(session, img.id).catch((err: unknown) => {
              if (!isNotFound(err)) throw err;
            });
        });
      }
      // Whatever a failure left behind, by name.
      if (dst) await attempt('leftovers in dst', () => deleteWorkload(dst as Session, prefix));
    };
    await Promise.all([
      timed('clean up dst', cleanDst),
      (async () => {
        // Again here when the early removal failed or never started.
        const early = srcCleanup ? await srcCleanup : 'not started';
        if (src && early !== undefined)
          await timed('delete the workload in src', () =>
            attempt('the workload in src', () => deleteWorkload(src as Session, prefix)),
          );
      })(),
    ]);
    await Promise.all([src, dst].flatMap((s) => (s ? [s.close()] : [])));
    if (work) await rm(work, { recursive: true, force: true });
    console.log(`render-heat: ${timings.join(', ')}`);
    if (failures.length) throw new Error(`cleanup left things behind:\n${failures.join('\n')}`);
  });

  it(
    'a stack created from the rendered template holds what downpour import of the same bundle creates',
    { timeout: 1_200_000 },
    async () => {
      ok(
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
        ]),
        'select',
      );
      const exported = await timed('export', () =>
        downpour(['export', 'shop.yaml', '--cloud', 'src', '-o', 'shop.bundle', '--json']),
      );
      ok(exported, 'export');
      bundleId = (JSON.parse(exported.stdout) as { bundleId: string }).bundleId;
      // The source is not needed any more: its workload goes while the rest runs.
      srcCleanup = timed('delete the workload in src', () => deleteWorkload(src as Session, prefix)).then(
        () => undefined,
        (err: unknown) => err,
      );
      const graph = await loadGraph(await openBundle(join(work, 'shop.bundle')));
      const named = (kind: KindName) =>
        graph.nodes.flatMap((n) => (n.kind === kind && n.disposition === 'create' && n.name ? [n.name] : []));
      const shown: ShownNames = {
        servers: named('compute.server'),
        routers: named('network.router'),
        ports: named('network.port'),
        networks: named('network.network'),
      };
      ok(await downpour(['render', 'shop.bundle', '--format', 'heat', '-o', 'heat']), 'render');
      const heat = join(work, 'heat');

      // (a) Downpour's own import, as the witness sees it; then gone again, so (b) starts from the same dst.
      imported = true;
      const importRun = await timed('downpour import', () =>
        downpour(['import', 'shop.bundle', '--cloud', 'dst', '--json']),
      );
      ok(importRun, 'import');
      expect((JSON.parse(importRun.stdout) as ImportReport).outcome).toBe('complete');
      const byImport = await timed('witness', () => workloadSummary('dst', clouds, prefix, shown));
      ok(
        await timed('downpour destroy', () => downpour(['destroy', 'shop.bundle', '--cloud', 'dst'])),
        'destroy',
      );
      imported = false;

      // Not two empty summaries: the whole shop is there.
      const counts = (s: WorkloadSummary) =>
        Object.fromEntries(Object.entries(s).map(([k, rows]) => [k, rows.length]));
      expect(counts(byImport.summary)).toEqual({
        servers: 2,
        networks: 2,
        subnets: 2,
        routers: 1,
        ports: 3,
        securityGroups: 2,
        volumes: 2,
        images: 1,
        keypairs: 1,
        serverGroups: 1,
        floatingIps: 1,
      });

      // (b) The same bundle through Heat, as the README says: upload, create the stack, finish.
      const uploaded = await timed('upload-data.sh', () =>
        run('sh', ['upload-data.sh', join(work, 'shop.bundle')], heat, clouds),
      );
      ok(uploaded, 'upload-data.sh');
      expect(uploaded.stdout.match(/: uploaded as /g)).toHaveLength(3);
      stackCreated = true;
      const [created, again] = await Promise.all([
        timed('stack create', () =>
          run(
            'openstack',
            ['stack', 'create', '-t', 'template.yaml', '-e', 'environment.yaml', '--wait', stack],
            heat,
            clouds,
          ),
        ),
        // A second upload, meanwhile, finds every image there with the same bytes and uploads nothing.
        timed('upload-data.sh again', () =>
          run('sh', ['upload-data.sh', join(work, 'shop.bundle')], heat, clouds),
        ),
      ]);
      ok(created, 'stack create');
      expect(created.stdout).toContain('CREATE_COMPLETE');
      ok(again, 'upload-data.sh, second run');
      expect(again.stdout.match(/: already uploaded as /g)).toHaveLength(3);
      expect(again.stdout).not.toContain(': uploaded as ');
      ok(await timed('finish.sh', () => run('sh', ['finish.sh', stack], heat, clouds)), 'finish.sh');

      const byHeat = await timed('witness', () =>
        workloadSummary('dst', clouds, prefix, shown, [`stack output show ${stack} --all`]),
      );
      // Documented differences, normalised away: the images upload-data.sh made for the volumes'
      // data stay after the stack is created (README: delete them once the stack is complete);
      // Downpour's import deletes its own staging images.
      const staging = byHeat.summary.images.filter((i) => i.name.endsWith('-volume-data'));
      expect(staging.map((i) => i.name)).toEqual([
        `${prefix}-boot-volume-data`,
        `${prefix}-data-volume-data`,
      ]);
      const heatSummary = {
        ...byHeat.summary,
        images: byHeat.summary.images.filter((i) => !staging.includes(i)),
      };
      expect(heatSummary).toEqual(byImport.summary);

      // The outputs say what Downpour's import report says: every new id, and the new floating IP address.
      // `stack output show --all` gives each output as a JSON text of its own.
      const outputs = Object.fromEntries(
        Object.entries(byHeat.extra[0] as Record<string, string>).map(([k, v]) => [
          k,
          JSON.parse(v) as { output_value: unknown },
        ]),
      );
      const idMap = outputs['id_map']?.output_value as Record<string, string> | undefined;
      const created17 = Object.values(idMap ?? {});
      expect(created17).toHaveLength(17);
      expect(created17.filter((id) => /^[0-9a-f-]{36}$/.test(id))).toHaveLength(16); // and the keypair's name
      expect(idMap?.[`${prefix}-key`]).toBe(`${prefix}-key`);
      const address = Object.entries(outputs).find(([k]) => k.endsWith('_address'))?.[1].output_value;
      expect([address]).toEqual(byHeat.floatingAddresses);
    },
  );
});
