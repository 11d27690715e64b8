import { InterruptedError, errorMessage } from '../core/errors.js';
import type { Graph } from './graph.js';

export type NodeOutcome =
  | { status: 'done' }
  | { status: 'failed'; error: unknown; message: string }
  | { status: 'skipped'; because: string[] };

export interface WalkOptions {
  /** At most this many nodes run at once. */
  concurrency: number;
  signal?: AbortSignal;
  /** Extra limit per node class (for example data transfers): `limitOf(key)` names the class. */
  limitOf?: (key: string) => { name: string; limit: number } | undefined;
}

/**
 * Visit every node after its dependencies, up to `concurrency` at once. A failure skips the
 * nodes that depend on it (transitively), never its siblings; the walk always finishes and
 * returns one outcome per node. An abort stops starting new nodes and waits for running ones.
 */
export async function walkGraph<T>(
  graph: Graph<T>,
  visit: (key: string, value: T) => Promise<void>,
  options: WalkOptions,
): Promise<Map<string, NodeOutcome>> {
  graph.validate();
  const outcomes = new Map<string, NodeOutcome>();
  const pending = new Set(graph.keys());
  const running = new Map<string, Promise<void>>();
  const classRunning = new Map<string, number>();

  const blockedBy = (key: string): string[] =>
    graph.dependenciesOf(key).filter((d) => {
      const o = outcomes.get(d);
      return o !== undefined && o.status !== 'done';
    });
  const isReady = (key: string) => graph.dependenciesOf(key).every((d) => outcomes.get(d)?.status === 'done');

  for (;;) {
    // Skip what can never run, repeatedly, so skips propagate down the graph.
    let changed = true;
    while (changed) {
      changed = false;
      for (const key of [...pending].sort()) {
        const blockers = blockedBy(key);
        if (blockers.length) {
          outcomes.set(key, { status: 'skipped', because: blockers });
          pending.delete(key);
          changed = true;
        }
      }
    }
    if (!options.signal?.aborted) {
      for (const key of [...pending].sort()) {
        if (running.size >= options.concurrency) break;
        if (!isReady(key)) continue;
        const cls = options.limitOf?.(key);
        if (cls && (classRunning.get(cls.name) ?? 0) >= cls.limit) continue;
        pending.delete(key);
        if (cls) classRunning.set(cls.name, (classRunning.get(cls.name) ?? 0) + 1);
        const value = graph.get(key) as T;
        const task = (async () => {
          try {
            await visit(key, value);
            outcomes.set(key, { status: 'done' });
          } catch (error) {
            outcomes.set(key, { status: 'failed', error, message: errorMessage(error) });
          } finally {
            running.delete(key);
            if (cls) classRunning.set(cls.name, (classRunning.get(cls.name) ?? 1) - 1);
          }
        })();
        running.set(key, task);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  for (const key of pending) {
    outcomes.set(key, {
      status: 'failed',
      error: new InterruptedError(),
      message: 'interrupted before it started',
    });
  }
  return outcomes;
}
