import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApplyContext } from '../../../src/kinds/apply/context.js';
import { landsInFlight } from '../../../src/kinds/apply/in-flight.js';
import type { GraphNode } from '../../../src/kinds/model.js';
import { entryForPlanned, findEarlier, IN_FLIGHT_MS, inFlightFor } from '../../../src/migrate/import.js';
import type { JournalEntry } from '../../../src/migrate/journal.js';
import { TemporaryJournal } from '../../../src/migrate/temporaries.js';
import type { PlannedNode } from '../../../src/plan/types.js';

const keypair: PlannedNode = {
  key: 'compute.keypair:shop-key',
  kind: 'compute.keypair',
  name: 'shop-key',
  action: 'reuse',
  target: { id: 'shop-key' },
  uploadBytes: 0,
};
const entry = (status: JournalEntry['status'], targetId?: string): JournalEntry => ({
  kind: 'compute.keypair',
  status,
  ...(targetId ? { targetId } : {}),
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('the journal of a resumed import, for what the plan reuses, maps or merges', () => {
  it('adopts a keypair that a killed run asked for and that now looks reusable: destroy removes it', () => {
    expect(entryForPlanned(keypair, entry('creating'))).toEqual({
      kind: 'compute.keypair',
      status: 'adopted',
      targetId: 'shop-key',
      extra: { complete: true },
    });
  });

  it('reuses a keypair that was there before the import', () => {
    expect(entryForPlanned(keypair, undefined)).toEqual({
      kind: 'compute.keypair',
      status: 'reused',
      targetId: 'shop-key',
    });
  });

  it('leaves alone what an earlier run created or adopted, and what is journalled already', () => {
    expect(entryForPlanned(keypair, entry('created', 'shop-key'))).toBeUndefined();
    expect(entryForPlanned(keypair, entry('adopted', 'shop-key'))).toBeUndefined();
    expect(entryForPlanned(keypair, entry('reused', 'shop-key'))).toBeUndefined();
    expect(entryForPlanned({ ...keypair, action: 'create' }, entry('creating'))).toBeUndefined();
  });

  it('maps what the plan maps, even after an intent', () => {
    const flavor: PlannedNode = {
      key: 'compute.flavor:m1.tiny',
      kind: 'compute.flavor',
      name: 'm1.tiny',
      action: 'map',
      target: { id: 'f1' },
      uploadBytes: 0,
    };
    expect(entryForPlanned(flavor, undefined)).toEqual({
      kind: 'compute.flavor',
      status: 'mapped',
      targetId: 'f1',
    });
  });
});

describe('a create asked for by a run that was killed', () => {
  const at = Date.parse('2026-01-01T00:00:00.000Z');

  it('is given time to land at the cloud before another is made: until the intent is IN_FLIGHT_MS old', () => {
    expect(inFlightFor(entry('creating'), at + 1_000)).toBe(IN_FLIGHT_MS - 1_000);
    expect(inFlightFor(entry('creating'), at + IN_FLIGHT_MS)).toBe(0);
    expect(inFlightFor(entry('creating'), at + 3_600_000)).toBe(0);
  });

  it('is not waited for once its answer was journalled, or when there was no intent', () => {
    expect(inFlightFor(entry('created', 'shop-key'), at)).toBe(0);
    expect(inFlightFor(entry('failed'), at)).toBe(0);
    expect(inFlightFor(undefined, at)).toBe(0);
  });
});

describe('an operation a killed run may still have under way', () => {
  it('counts as landed or not as soon as a look says so, and is looked at again while it may still land', async () => {
    await expect(landsInFlight(() => Promise.resolve(true))).resolves.toBe(true);
    await expect(landsInFlight(() => Promise.resolve(false))).resolves.toBe(false);
    const answers: (boolean | undefined)[] = [undefined, true];
    let looks = 0;
    await expect(landsInFlight(() => Promise.resolve(answers[looks++]))).resolves.toBe(true);
    expect(looks).toBe(2);
  });
});

describe('a first import looking for earlier copies', () => {
  const port = {
    key: 'network.port:p1',
    kind: 'network.port',
    sourceId: 'p1',
    name: 'web-port',
  } as GraphNode;
  /** A context whose every request fails loudly: a lookup that reaches the cloud shows. */
  const ctx = (nothingEarlier: string[]) =>
    ({
      bundleId: 'b1',
      caps: { neutronTags: true, serverTags: true },
      nothingEarlier: new Set(nothingEarlier),
      session: new Proxy(
        {},
        {
          get: () => {
            throw new Error('the cloud was asked');
          },
        },
      ),
      signal: undefined,
    }) as unknown as ApplyContext;
  const creating = { ...entry('creating'), kind: 'network.port' } as JournalEntry;
  const doc = { name: 'web-port', network_id: 'n1' };

  it('asks nothing for a node without a journal entry when its kind has no object of this bundle there', async () => {
    await expect(findEarlier(ctx(['network.port']), port, doc, undefined)).resolves.toBeUndefined();
  });

  it('still looks when the kind has objects of this bundle, or the journal holds an intent for the node', async () => {
    await expect(findEarlier(ctx([]), port, doc, undefined)).rejects.toThrow('the cloud was asked');
    await expect(findEarlier(ctx(['network.port']), port, doc, creating)).rejects.toThrow(
      'the cloud was asked',
    );
  });
});

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
