import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TemporaryJournal } from '../../../src/migrate/temporaries.js';

describe("an export's journal of temporaries and finished captures", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('remembers a finished capture across runs, for the same bundle only', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dp-unit-'));
    await mkdir(join(dir, 'ingest'));
    const dataInfo = {
      size: 4,
      disk_format: 'raw',
      container_format: 'bare',
      sha256: 'a'.repeat(64),
      captured_from: 'server-snapshot' as const,
    };
    const first = await TemporaryJournal.open(dir, 'bundle-1');
    await first.add({ type: 'image', id: 'img-1', purpose: 'server-s1' });
    await first.markCaptured('server-s1', { key: 'capture-s1-img-1', dataInfo });

    const again = await TemporaryJournal.open(dir, 'bundle-1');
    expect(again.capturedFor('server-s1')).toEqual({ key: 'capture-s1-img-1', dataInfo });
    expect(again.capturedFor('volume-v1')).toBeUndefined();
    expect(again.forPurpose('server-s1').map((t) => t.id)).toEqual(['img-1']);

    const other = await TemporaryJournal.open(dir, 'bundle-2');
    expect(other.capturedFor('server-s1')).toBeUndefined();
  });
});
