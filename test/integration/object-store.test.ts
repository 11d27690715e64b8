/**
 * Swift containers between the two local clouds, in both directions, never connected: built and
 * witnessed with openstacksdk (test/support/swift-witness.py), not with Downpour's client. The
 * containers have every feature a copy must keep: metadata (CORS, static web, quota), ACLs that
 * name the project and a foreign one, a temporary URL key (a secret), a storage policy the other
 * cloud lacks, content encoding and disposition, an object that expires and one that expires
 * between export and import, a large object of its own, static and dynamic large objects with
 * their segments in another container, a symlink, object versioning with a delete marker, and
 * legacy versioning with its archive container.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLOUD_B, runIn, ZED, type LocalCloud, type Run } from '../support/clouds.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/downpour.js');
const WITNESS = join(ROOT, 'test/support/swift-witness.py');

/** Each cloud's storage policies: the assets container's policy exists only at its source. */
const POLICY = new Map([
  ['zed', { own: 'gold', default: 'Policy-0' }],
  ['2025.1', { own: 'cold', default: 'standard' }],
]);

if (!ZED || !CLOUD_B) console.warn('object storage round trips skipped: both local clouds are needed.');

const ok = (run: Run, what: string) => {
  if (run.code !== 0) throw new Error(`${what}: exit ${run.code}\n${run.stderr}\n${run.stdout}`);
  return run;
};

type Dump = Record<
  string,
  { headers: Record<string, string>; objects: { name: string; [k: string]: unknown }[] }
>;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

function roundTrip(from: LocalCloud, to: LocalCloud) {
  describe(`Swift ${from.label} -> ${to.label}`, () => {
    const prefix = `dp-os-${randomBytes(3).toString('hex')}`;
    let work = '';
    const witness = (cloud: LocalCloud, args: string[]) =>
      runIn(cloud, '/usr/bin/python3', [WITNESS, ...args]);
    const downpour = (cloud: LocalCloud, args: string[]) =>
      runIn(cloud, process.execPath, [BIN, ...args], { cwd: work });
    const dump = async (cloud: LocalCloud, name: string): Promise<Dump> =>
      JSON.parse(ok(await witness(cloud, ['dump', name, prefix]), `reading ${cloud.label}`).stdout) as Dump;

    afterAll(async () => {
      const runs = [
        await witness(from, ['cleanup', from.src, prefix]),
        await witness(to, ['cleanup', to.dst, prefix]),
      ];
      if (work) await rm(work, { recursive: true, force: true });
      for (const r of runs) if (r.code !== 0) throw new Error(`cleanup: ${r.stderr}`);
    });

    it('moves containers with their objects, versions, large objects and settings; a second export fetches nothing; a rerun writes nothing; destroy removes them', async () => {
      work = await mkdtemp(join(tmpdir(), `${prefix}-`));
      const policies = { from: POLICY.get(from.release)!, to: POLICY.get(to.release)! };
      const built = JSON.parse(
        ok(await witness(from, ['build', from.src, prefix, policies.from.own]), 'building').stdout,
      ) as { temp_url_key: string };
      const builtAt = Date.now();
      const bundle = join(work, 'objects.bundle');
      ok(
        await downpour(from, [
          'select',
          '--cloud',
          from.src,
          '--container',
          `${prefix}-assets`,
          '--container',
          `${prefix}-ver`,
          '--container',
          `${prefix}-legacy`,
          '-o',
          'objects.yaml',
        ]),
        'select',
      );
      const first = JSON.parse(
        ok(
          await downpour(from, ['export', 'objects.yaml', '--cloud', from.src, '-o', bundle, '--json']),
          'export',
        ).stdout,
      ) as { downloadedBytes: number; nodes: { kind: string; create: number }[]; notes: { code: string }[] };
      // The segments and the archive come in as what the selected containers need.
      expect(first.nodes).toEqual([{ kind: 'object-store.container', create: 5, existing: 0 }]);
      expect(first.downloadedBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(first.notes.map((n) => n.code)).toContain('TEMPURL_KEY_NOT_EXPORTED');
      for (const file of await filesUnder(bundle))
        expect((await readFile(file)).includes(built.temp_url_key), file).toBe(false);

      const second = JSON.parse(
        ok(
          await downpour(from, ['export', 'objects.yaml', '--cloud', from.src, '-o', bundle, '--json']),
          'export again',
        ).stdout,
      ) as { downloadedBytes: number; reusedBytes: number };
      expect(second.downloadedBytes).toBe(0);

      // soon.txt expires 45 s after it was written: by the import it is gone.
      const wait = builtAt + 47_000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const imported = ok(await downpour(to, ['import', bundle, '--cloud', to.dst, '--json']), 'import');
      const report = JSON.parse(imported.stdout) as { warnings?: { message: string }[] };
      const warnings = JSON.stringify(report);
      expect(warnings).toMatch(/soon\.txt expired/);
      expect(warnings).toMatch(/0123456789abcdef0123456789abcdef:\*/);

      const source = await dump(from, from.src);
      const copy = await dump(to, to.dst);
      expect(Object.keys(copy).sort()).toEqual(Object.keys(source).sort());
      for (const [name, c] of Object.entries(source)) {
        // What a copy must not keep, and what the import maps.
        delete c.headers['x-container-meta-temp-url-key'];
        // The assets' own policy is missing at the destination, and default maps to default.
        c.headers['x-storage-policy'] = policies.to.default;
        if (c.headers['x-container-read'])
          c.headers['x-container-read'] = c.headers['x-container-read'].replace(
            ',0123456789abcdef0123456789abcdef:*',
            '',
          );
        const before = c.objects.length;
        c.objects = c.objects.filter((o) => o.name !== 'soon.txt');
        if (before !== c.objects.length)
          c.headers['x-container-object-count'] = String(Number(c.headers['x-container-object-count']) - 1);
        const mark = copy[name]?.headers['x-container-meta-downpour-bundle'];
        expect(mark, name).toMatch(/^[0-9a-f-]{36}$/);
        delete copy[name]!.headers['x-container-meta-downpour-bundle'];
      }
      expect(copy).toEqual(source);
      const ver = copy[`${prefix}-ver`]!.objects;
      expect(ver.map((o) => [o.name, o['bytes'] ?? 'deleted'])).toEqual([
        ['doc.txt', 17],
        ['doc.txt', 9],
        ['doc.txt', 2],
        ['gone.txt', 'deleted'],
        ['gone.txt', 13],
      ]);

      // A second import finds everything there and writes nothing: no version is added.
      ok(await downpour(to, ['import', bundle, '--cloud', to.dst]), 'import again');
      const again = await dump(to, to.dst);
      for (const c of Object.values(again)) delete c.headers['x-container-meta-downpour-bundle'];
      expect(again).toEqual(copy);

      ok(await downpour(to, ['destroy', bundle, '--cloud', to.dst]), 'destroy');
      expect(await dump(to, to.dst)).toEqual({});
    });
  });
}

if (ZED && CLOUD_B) {
  roundTrip(ZED, CLOUD_B);
  roundTrip(CLOUD_B, ZED);
}
