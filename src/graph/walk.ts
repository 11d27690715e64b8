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
  /**
   * Nodes that go first: until each of them has finished (done, failed or skipped) or called
   * the `release` its visit is given, no other node starts. A node that depends on one that
   * does not go first cannot go first itself.
   */
  first?: (key: string) => boolean;
}

/** The nodes that go first: asked for, and depending only on nodes that go first too. */
function firstNodes<T>(graph: Graph<T>, first: (key: string) => boolean): Set<string> {
  const known = new Map<string, boolean>();
  const goesFirst = (key: string): boolean => {
    let answer = known.get(key);
    if (answer === undefined) {
      answer = first(key) && graph.dependenciesOf(key).every(goesFirst);
      known.set(key, answer);
    }
    return answer;
  };
  return new Set(graph.keys().filter(goesFirst));
}

/**
 * Visit every node after its dependencies, up to `concurrency` at once. A failure skips the
 * nodes that depend on it (transitively), never its siblings; the walk always finishes and
 * returns one outcome per node. An abort stops starting new nodes and waits for running ones.
 */
export async function walkGraph<T>(
  graph: Graph<T>,
  visit: (key: string, value: T, release: () => void) => Promise<void>,
  options: WalkOptions,
): Promise<Map<string, NodeOutcome>> {
  graph.validate();
  const outcomes = new Map<string, NodeOutcome>();
  const pending = new Set(graph.keys());
  const running = new Map<string, Promise<void>>();
  const classRunning = new Map<string, number>();
  const first = options.first ? firstNodes(graph, options.first) : new Set<string>();
  const released = new Set<string>();
  const holding = () => [...first].some((key) => !released.has(key) && !outcomes.has(key));
  let wake: () => void = () => undefined;

  const blockedBy = (key: string): string[] =>
    graph.dependenciesOf(key).filter((d) => {
      const o = outcomes.get(d);
      return o !== undefined && o.status !== 'done';
    });
  const isReady = (key: string) => graph.dependenciesOf(key).every((d) => outcomes.get(d)?.status === 'done');

  for (;;) {
    // A release wakes the loop, so held nodes start without waiting for a running one to end.
    const woken = new Promise<void>((resolve) => (wake = resolve));
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
      const held = holding();
      for (const key of [...pending].sort()) {
        if (running.size >= options.concurrency) break;
        if ((held && !first.has(key)) || !isReady(key)) continue;
        const cls = options.limitOf?.(key);
        if (cls && (classRunning.get(cls.name) ?? 0) >= cls.limit) continue;
        pending.delete(key);
        if (cls) classRunning.set(cls.name, (classRunning.get(cls.name) ?? 0) + 1);
        const value = graph.get(key) as T;
        const release = () => {
          if (released.has(key)) return;
          released.add(key);
          wake();
        };
        const task = (async () => {
          try {
            await visit(key, value, release);
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
    await Promise.race([...running.values(), woken]);
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
