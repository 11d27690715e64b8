import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/openstack/session/session.js';
import { SourceCache, sourceList, type SourceList } from '../../../src/kinds/source-cache.js';

const session = { project: { id: 'p1' } } as unknown as Session;

function counted<T extends { id: string }>(kind: 'network.port', items: T[]) {
  let calls = 0;
  const list = sourceList<T>(kind, async function* () {
    calls += 1;
    await Promise.resolve();
    yield* items;
  });
  return { list, calls: () => calls };
}

describe('the source cache', () => {
  it('lists a kind once per export, however many kinds read it', async () => {
    const ports = counted('network.port', [{ id: 'a' }, { id: 'b' }]);
    const cache = new SourceCache(session);
    const [one, two] = await Promise.all([cache.all(ports.list), cache.all(ports.list)]);
    expect([...one.keys()]).toEqual(['a', 'b']);
    expect(two).toBe(one);
    expect(ports.calls()).toBe(1);
  });

  it('finds items by what the list keys them by', async () => {
    const keypairs: SourceList<{ name: string }> = {
      kind: 'compute.keypair',
      list: async function* () {
        await Promise.resolve();
        yield { name: 'k1' };
      },
      keyOf: (k) => k.name,
    };
    expect([...(await new SourceCache(session).all(keypairs)).keys()]).toEqual(['k1']);
  });

  it('lists again after a failed list', async () => {
    let calls = 0;
    const flaky = sourceList<{ id: string }>('network.port', async function* () {
      calls += 1;
      await Promise.resolve();
      if (calls === 1) throw new Error('503');
      yield { id: 'a' };
    });
    const cache = new SourceCache(session);
    await expect(cache.all(flaky)).rejects.toThrow('503');
    expect([...(await cache.all(flaky)).keys()]).toEqual(['a']);
  });
});
