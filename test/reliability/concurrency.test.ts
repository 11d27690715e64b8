/**
 * Two runs on one migration at the same moment: the second is refused with exit 7, naming the
 * first; the first, killed, leaves a lock the next run takes over. A fault proxy holds one
 * request of the first run, so it is surely mid-way when the second starts.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import { Session } from '../../src/openstack/session/session.js';
import { proxiedCloudsYaml, startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { deleteWorkload } from '../support/workload.js';
import { buildSmallWorkload, configFile, downpour, explain, startDownpour, type Run } from './support.js';

if (!configFile) console.warn('reliability tests skipped: OS_CLIENT_CONFIG_FILE is unset.');

describe.skipIf(!configFile)('concurrent runs on one migration', () => {
  const prefix = `dp-cc-${randomBytes(4).toString('hex')}`;
  let work: string;
  let src: Session | undefined;
  let dst: Session | undefined;
  let proxy: FaultProxy;
  let env: Record<string, string>;
  let imported = false;

  /** The first run, held at the first request `match` accepts; resolves once it is held. */
  async function holdFirst(
    args: string[],
    match: (service: string, method: string, path: string) => boolean,
  ) {
    let onHeld: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (onHeld = resolve));
    proxy.holdNext({ match: (r) => match(r.service, r.method, r.path), stage: 'request', onHeld });
    const first = startDownpour(args, { cwd: work, env });
    const ended = first.done.then((run) => {
      throw new Error(`the first run ended before its request was held:\n${explain(run)}`);
    });
    await Promise.race([held, ended]);
    return first;
  }

  const refused = (run: Run, holder: string) => {
    expect(run.code, explain(run)).toBe(7);
    expect(run.stderr).toContain('downpour: error: another run holds ');
    expect(run.stderr).toContain(holder);
    expect(run.stderr).toMatch(/\(process \d+, since \d{4}-\d\d-\d\dT/);
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    [src, dst] = await Promise.all(
      ['src', 'dst'].map((cloud) => Session.connect(loadCloudConfig({ cloud }))),
    );
    await buildSmallWorkload(src as Session, prefix);
    proxy = await startFaultProxy();
    const file = join(work, 'proxied.yaml');
    await writeFile(file, proxiedCloudsYaml(await readFile(configFile as string, 'utf8'), proxy), {
      mode: 0o600,
    });
    env = { OS_CLIENT_CONFIG_FILE: file };
    const selected = await downpour(
      ['select', '--cloud', 'src', '--server', `${prefix}-vm`, '--image', `${prefix}-img`, '-o', 'sel.yaml'],
      { cwd: work, env },
    );
    if (selected.code !== 0) throw new Error(explain(selected));
  });

  afterAll(async () => {
    const failures: string[] = [];
    proxy?.holdNext(undefined);
    proxy?.dropHeld();
    if (imported) {
      const run = await downpour(['destroy', 'shop.bundle', '--cloud', 'dst'], { cwd: work, env });
      if (run.code !== 0) failures.push(`destroy: ${explain(run)}`);
    }
    if (dst) await deleteWorkload(dst, prefix).catch((e: Error) => failures.push(`dst: ${e.message}`));
    if (src) await deleteWorkload(src, prefix).catch((e: Error) => failures.push(`src: ${e.message}`));
    await proxy?.close();
    await Promise.all([src, dst].flatMap((s) => (s ? [s.close()] : [])));
    await rm(work, { recursive: true, force: true });
    if (failures.length) throw new Error(failures.join('\n'));
  });

  it('a second export into the same bundle is refused while the first runs; after the first is killed, the next one takes its lock over and finishes', async () => {
    const args = ['export', 'sel.yaml', '--cloud', 'src', '-o', 'shop.bundle', '--capture', 'image'];
    const first = await holdFirst(
      args,
      (service, method, path) => service === 'glance' && method === 'GET' && path.endsWith('/file'),
    );
    refused(await downpour(args, { cwd: work, env }), 'downpour export into shop.bundle');
    first.child.kill('SIGKILL');
    await first.done;
    proxy.dropHeld();
    const again = await downpour(args, { cwd: work, env });
    expect(again.code, explain(again)).toBe(0);
  });

  it('a second import, and a destroy, of the same bundle into the same project are refused while an import runs; the killed import is resumed and finishes', async () => {
    const args = ['import', 'shop.bundle', '--cloud', 'dst'];
    imported = true;
    const first = await holdFirst(args, (service, method) => service === 'neutron' && method === 'POST');
    refused(await downpour(args, { cwd: work, env }), 'downpour import of bundle');
    refused(
      await downpour(['destroy', 'shop.bundle', '--cloud', 'dst'], { cwd: work, env }),
      'downpour import of bundle',
    );
    first.child.kill('SIGKILL');
    await first.done;
    proxy.dropHeld();
    const again = await downpour([...args, '--json'], { cwd: work, env });
    expect(again.code, explain(again)).toBe(0);
    expect((JSON.parse(again.stdout) as { outcome: string }).outcome).toBe('complete');
  });

  it('an import of another copy of the bundle (no shared journal, as on another machine) sees the fresh objects of the first at the destination and refuses; with --adopt it takes them over and creates nothing twice', async () => {
    // The import of the test before made everything moments ago, and its journal is beside shop.bundle.
    await cp(join(work, 'shop.bundle'), join(work, 'copy.bundle'), { recursive: true });
    const other = await downpour(['import', 'copy.bundle', '--cloud', 'dst'], { cwd: work, env });
    expect(other.code, explain(other)).toBe(7);
    expect(other.stderr).toMatch(
      /another import of bundle [0-9a-f-]+ into project dst seems to be under way: its \S+ \S+ was made \d+ s ago/,
    );
    expect(other.stderr).toContain('--adopt');
    const adopted = await downpour(['import', 'copy.bundle', '--cloud', 'dst', '--adopt', '--json'], {
      cwd: work,
      env,
    });
    expect(adopted.code, explain(adopted)).toBe(0);
    const report = JSON.parse(adopted.stdout) as { outcome: string; nodes: { status: string }[] };
    expect(report.outcome).toBe('complete');
    expect(report.nodes.filter((n) => n.status === 'created')).toEqual([]);
  });
});
