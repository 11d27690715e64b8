/**
 * An export into a filesystem that runs full: a clear error naming the filesystem and what was
 * needed (exit 8, also under --json), and, once there is room, the same command finishes.
 * The filesystem is a small tmpfs of the test's own (root only), grown in place afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import { bufferBody } from '../../src/openstack/http/client.js';
import * as images from '../../src/openstack/image/images/index.js';
import { Session } from '../../src/openstack/session/session.js';
import { configFile, downpour, explain } from './support.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('disk-full test skipped: mounting its small filesystem needs root.');

describe.skipIf(!configFile || !isRoot)('export into a filesystem that runs full', () => {
  const prefix = `dp-df-${randomBytes(4).toString('hex')}`;
  let work: string;
  let small: string;
  let mounted = false;
  let session: Session | undefined;
  let imageId: string | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    small = join(work, 'small');
    await mkdir(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', small]);
    mounted = true;
    session = await Session.connect(loadCloudConfig({ cloud: 'src' }));
    const data = randomBytes(16 * 1024 * 1024);
    const image = await images.create(session, {
      name: `${prefix}-img`,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
    });
    imageId = image.id;
    await images.upload(session, image.id, bufferBody(data), { size: data.length });
    await images.waitForImageStatus(session, image.id, 'active', { timeoutMs: 120_000 });
    const selected = await downpour(
      ['select', '--cloud', 'src', '--image', `${prefix}-img`, '-o', 'sel.yaml'],
      {
        cwd: work,
      },
    );
    if (selected.code !== 0) throw new Error(explain(selected));
  });

  afterAll(async () => {
    if (mounted) execFileSync('umount', [small]);
    if (session && imageId) await images.remove(session, imageId).catch(() => undefined);
    await session?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('stops with exit 8 naming the filesystem and the space needed, and finishes once there is room', async () => {
    const bundle = join(small, 'img.bundle');
    const args = ['export', 'sel.yaml', '--cloud', 'src', '-o', bundle];
    const full = await downpour(args, { cwd: work });
    expect(full.code, explain(full)).toBe(8);
    expect(full.stderr).toContain(
      `downpour: error: the filesystem of ${bundle} (mounted at ${small}) is full`,
    );
    expect(full.stderr).toContain('needed 16.0 MiB more');

    const asJson = await downpour([...args, '--json'], { cwd: work });
    expect(asJson.code, explain(asJson)).toBe(8);
    expect(JSON.parse(asJson.stdout)).toMatchObject({
      code: 'E_NO_SPACE',
      exitCode: 8,
      details: { mountPoint: small, neededBytes: 16 * 1024 * 1024 },
    });

    execFileSync('mount', ['-o', 'remount,size=64m', small]);
    const again = await downpour(args, { cwd: work });
    expect(again.code, explain(again)).toBe(0);
    const verified = await downpour(['verify', bundle], { cwd: work });
    expect(verified.code, explain(verified)).toBe(0);
  });
});
