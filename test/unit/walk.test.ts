import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { walkGraph } from '../../src/graph/walk.js';

function graphOf(edges: Record<string, string[]>): Graph<string> {
  const graph = new Graph<string>();
  for (const key of Object.keys(edges)) graph.add(key, key);
  for (const [key, deps] of Object.entries(edges)) for (const d of deps) graph.depend(key, d);
  return graph;
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('walkGraph: nodes that go first', () => {
  it('starts nothing else before every first node has finished, failed ones included', async () => {
    const graph = graphOf({ image: [], volume: [], network: [], subnet: ['network'], server: ['image'] });
    const data = new Set(['image', 'volume']);
    const log: string[] = [];
    const outcomes = await walkGraph(
      graph,
      async (key) => {
        log.push(`start ${key}`);
        await tick();
        log.push(`end ${key}`);
        if (key === 'volume') throw new Error('volume failed');
      },
      { concurrency: 8, first: (key) => data.has(key) },
    );
    const lastDataEnd = Math.max(log.indexOf('end image'), log.indexOf('end volume'));
    for (const key of ['network', 'subnet', 'server'])
      expect(log.indexOf(`start ${key}`)).toBeGreaterThan(lastDataEnd);
    expect(outcomes.get('volume')?.status).toBe('failed');
    expect(outcomes.get('server')?.status).toBe('done');
  });

  it('lets the others start as soon as every first node has released them, while it finishes', async () => {
    const graph = graphOf({ volume: [], network: [] });
    const log: string[] = [];
    await walkGraph(
      graph,
      async (key, _value, release) => {
        log.push(`start ${key}`);
        if (key === 'volume') {
          await tick();
          release();
          log.push('volume released');
          await tick(50);
        }
        log.push(`end ${key}`);
      },
      { concurrency: 8, first: (key) => key === 'volume' },
    );
    expect(log.indexOf('start network')).toBeGreaterThan(log.indexOf('volume released'));
    expect(log.indexOf('start network')).toBeLessThan(log.indexOf('end volume'));
  });

  it('does not put first a node that depends on one that does not go first, so nothing waits forever', async () => {
    const graph = graphOf({ network: [], volume: ['network'], image: [] });
    const started: string[] = [];
    const outcomes = await walkGraph(
      graph,
      async (key) => {
        started.push(key);
        await tick();
      },
      { concurrency: 8, first: (key) => key !== 'network' },
    );
    expect([...outcomes.values()].every((o) => o.status === 'done')).toBe(true);
    expect(started.indexOf('network')).toBeGreaterThan(started.indexOf('image'));
  });

  it('stops starting nodes when its signal aborts and reports them as interrupted', async () => {
    const graph = graphOf({ a: [], b: [], c: ['a'] });
    const stop = new AbortController();
    const outcomes = await walkGraph(
      graph,
      async (key) => {
        await tick();
        if (key === 'a') stop.abort();
      },
      { concurrency: 1, signal: stop.signal },
    );
    expect(outcomes.get('a')?.status).toBe('done');
    expect(outcomes.get('b')).toMatchObject({ status: 'failed', message: 'interrupted before it started' });
    expect(outcomes.get('c')).toMatchObject({ status: 'failed', message: 'interrupted before it started' });
  });
});
