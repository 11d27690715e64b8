/**
 * A volume with a snapshot, from Zed to 2025.1, never connected: the snapshot moves with its
 * volume, keeps its name, description and metadata, and its data is checked on the destination's
 * Cinder backend (the volume files of the NFS share, read as root), not through Downpour.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLOUD_B, runIn, ZED, type LocalCloud, type Run } from '../support/clouds.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/downpour.js');
/** Where each cloud's Cinder NFS driver keeps its volume files, seen from outside. */
const SHARE = new Map([
  ['zed', '/var/lib/downpour-cloud/cinder/nfs-export'],
  ['2025.1', '/var/lib/downpour-cloud-b/root/var/lib/cloudb/cinder/nfs-export'],
]);

const ok = (run: Run, what: string) => {
  if (run.code !== 0) throw new Error(`${what}: exit ${run.code}\n${run.stderr}\n${run.stdout}`);
  return run;
};

/** SHA-256 of the first `size` bytes of a file on a Cinder backend. */
async function backendHash(cloud: LocalCloud, volumeId: string, size: number): Promise<string> {
  const fh = await open(join(SHARE.get(cloud.release)!, `volume-${volumeId}`), 'r');
  try {
    const buf = Buffer.alloc(size);
    await fh.read(buf, 0, size, 0);
    return createHash('sha256').update(buf).digest('hex');
  } finally {
    await fh.close();
  }
}

if (ZED && CLOUD_B) {
  const from = ZED;
  const to = CLOUD_B;
  describe(`volume snapshots ${from.label} -> ${to.label}`, () => {
    const prefix = `dp-sn-${randomBytes(3).toString('hex')}`;
    let work = '';
    let imported = false;
    const cli = async (cloud: LocalCloud, name: string, args: string[]) =>
      ok(
        await runIn(cloud, 'openstack', ['--os-cloud', name, ...args], { cwd: work }),
        `openstack ${args.join(' ')}`,
      );
    const json = async <T>(cloud: LocalCloud, name: string, args: string[]) =>
      JSON.parse((await cli(cloud, name, [...args, '-f', 'json'])).stdout) as T;
    const downpour = (cloud: LocalCloud, args: string[]) =>
      runIn(cloud, process.execPath, [BIN, ...args], { cwd: work });
    const until = async (what: string, check: () => Promise<boolean>) => {
      for (let i = 0; i < 120; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
      throw new Error(`${what} did not happen within two minutes`);
    };

    afterAll(async () => {
      const failures: string[] = [];
      if (imported) {
        const run = await downpour(to, ['destroy', join(work, 'vol.bundle'), '--cloud', to.dst]);
        if (run.code !== 0) failures.push(`destroy: ${run.stderr}`);
      }
      for (const [args, what] of [
        [['volume', 'snapshot', 'delete', `${prefix}-snap`], 'snapshot'],
        [['volume', 'delete', `${prefix}-vol`], 'volume'],
        [['image', 'delete', `${prefix}-img`], 'image'],
      ] as const) {
        if (what === 'volume')
          await until(
            'the snapshot deletion',
            async () =>
              !(
                await runIn(from, 'openstack', [
                  '--os-cloud',
                  from.src,
                  'volume',
                  'snapshot',
                  'show',
                  `${prefix}-snap`,
                ])
              ).stdout,
          ).catch(() => undefined);
        const run = await runIn(from, 'openstack', ['--os-cloud', from.src, ...args]);
        if (run.code !== 0 && !/No .*found|could not be found/i.test(run.stderr))
          failures.push(`${what}: ${run.stderr}`);
      }
      if (work) await rm(work, { recursive: true, force: true });
      if (failures.length) throw new Error(failures.join('\n'));
    });

    it('moves the snapshot with its volume: name, description, metadata and data; destroy removes both', async () => {
      work = await mkdtemp(join(tmpdir(), `${prefix}-`));
      const bytes = randomBytes(4 * 1024 * 1024);
      const sha = createHash('sha256').update(bytes).digest('hex');
      await writeFile(join(work, 'img.raw'), bytes);
      await cli(from, from.src, [
        'image',
        'create',
        '--file',
        'img.raw',
        '--disk-format',
        'raw',
        `${prefix}-img`,
      ]);
      await cli(from, from.src, [
        'volume',
        'create',
        '--image',
        `${prefix}-img`,
        '--size',
        '1',
        `${prefix}-vol`,
      ]);
      await until(
        'the volume',
        async () =>
          (await json<{ status: string }>(from, from.src, ['volume', 'show', `${prefix}-vol`])).status ===
          'available',
      );
      await cli(from, from.src, [
        'volume',
        'snapshot',
        'create',
        '--volume',
        `${prefix}-vol`,
        '--description',
        'before the upgrade',
        '--property',
        'stage=one',
        `${prefix}-snap`,
      ]);
      await until(
        'the snapshot',
        async () =>
          (await json<{ status: string }>(from, from.src, ['volume', 'snapshot', 'show', `${prefix}-snap`]))
            .status === 'available',
      );

      ok(
        await downpour(from, ['select', '--cloud', from.src, '--volume', `${prefix}-vol`, '-o', 'vol.yaml']),
        'select',
      );
      const exported = JSON.parse(
        ok(
          await downpour(from, ['export', 'vol.yaml', '--cloud', from.src, '-o', 'vol.bundle', '--json']),
          'export',
        ).stdout,
      ) as { nodes: { kind: string; create: number }[] };
      expect(exported.nodes.filter((n) => n.kind.startsWith('block-storage.'))).toEqual([
        { kind: 'block-storage.snapshot', create: 1, existing: 0 },
        { kind: 'block-storage.volume', create: 1, existing: 0 },
        { kind: 'block-storage.volume-type', create: 0, existing: 1 },
      ]);

      imported = true;
      const report = JSON.parse(
        ok(await downpour(to, ['import', 'vol.bundle', '--cloud', to.dst, '--json']), 'import').stdout,
      ) as { idMap: Record<string, string>; warnings: string[] };
      expect(report.warnings.join('\n')).toMatch(/taken of a volume of its own/);

      const snaps = await json<{ ID: string; Name: string; Description: string; Properties: unknown }[]>(
        to,
        to.dst,
        ['volume', 'snapshot', 'list', '--long'],
      );
      const snap = snaps.find((s) => s.Name === `${prefix}-snap`);
      expect(snap?.Description).toBe('before the upgrade');
      expect(JSON.stringify(snap?.Properties)).toMatch(/stage.*one/);
      const shown = await json<{ volume_id: string }>(to, to.dst, ['volume', 'snapshot', 'show', snap!.ID]);
      const helper = await json<{ name: string; id: string }>(to, to.dst, [
        'volume',
        'show',
        shown.volume_id,
      ]);
      expect(helper.name).toBe(`${prefix}-snap (snapshot of ${prefix}-vol)`);
      const copy = await json<{ id: string }>(to, to.dst, ['volume', 'show', `${prefix}-vol`]);
      // The bytes, read on the destination's Cinder backend.
      expect(await backendHash(to, helper.id, bytes.length)).toBe(sha);
      expect(await backendHash(to, copy.id, bytes.length)).toBe(sha);

      ok(await downpour(to, ['destroy', 'vol.bundle', '--cloud', to.dst]), 'destroy');
      imported = false;
      const left = await json<{ Name: string }[]>(to, to.dst, ['volume', 'list']);
      expect(left.filter((v) => v.Name.startsWith(prefix))).toEqual([]);
    });
  });
}
