import { DownpourError, ExitCode } from '../core/errors.js';

/** A dependency graph keyed by string; an edge `a -> b` means "a depends on b". */
export class Graph<T> {
  private readonly nodes = new Map<string, T>();
  private readonly deps = new Map<string, Set<string>>();

  add(key: string, value: T): void {
    this.nodes.set(key, value);
    if (!this.deps.has(key)) this.deps.set(key, new Set());
  }

  has(key: string): boolean {
    return this.nodes.has(key);
  }

  get(key: string): T | undefined {
    return this.nodes.get(key);
  }

  /** `from` depends on `to`. Both must be nodes. */
  depend(from: string, to: string): void {
    if (!this.nodes.has(from) || !this.nodes.has(to)) {
      throw new DownpourError(
        'E_GRAPH',
        ExitCode.unexpected,
        `edge ${from} -> ${to} names a node that is not in the graph`,
      );
    }
    if (from !== to) this.deps.get(from)?.add(to);
  }

  keys(): string[] {
    return [...this.nodes.keys()];
  }

  values(): T[] {
    return [...this.nodes.values()];
  }

  get size(): number {
    return this.nodes.size;
  }

  dependenciesOf(key: string): string[] {
    return [...(this.deps.get(key) ?? [])];
  }

  dependentsOf(key: string): string[] {
    const out: string[] = [];
    for (const [k, ds] of this.deps) if (ds.has(key)) out.push(k);
    return out;
  }

  /** Every strongly connected component with more than one node (Tarjan), in a stable order. */
  cycles(): string[][] {
    let index = 0;
    const indices = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const found: string[][] = [];
    const visit = (v: string) => {
      indices.set(v, index);
      low.set(v, index);
      index++;
      stack.push(v);
      onStack.add(v);
      for (const w of [...(this.deps.get(v) ?? [])].sort()) {
        if (!indices.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
        }
      }
      if (low.get(v) === indices.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1) found.push(component.sort());
      }
    };
    for (const key of [...this.nodes.keys()].sort()) if (!indices.has(key)) visit(key);
    return found;
  }

  /** Refuse a graph with a cycle before anything is walked. */
  validate(): void {
    const cycles = this.cycles();
    if (cycles.length) {
      throw new DownpourError(
        'E_GRAPH_CYCLE',
        ExitCode.unexpected,
        `dependency cycle: ${cycles.map((c) => c.join(' -> ')).join('; ')}`,
      );
    }
  }

  /** Dependencies before dependents; ties broken by key so the order is deterministic. */
  topologicalOrder(): string[] {
    this.validate();
    const remaining = new Map<string, number>();
    for (const [k, ds] of this.deps) remaining.set(k, ds.size);
    const ready = [...remaining]
      .filter(([, n]) => n === 0)
      .map(([k]) => k)
      .sort();
    const order: string[] = [];
    const dependents = new Map<string, string[]>();
    for (const [k, ds] of this.deps) for (const d of ds) dependents.set(d, [...(dependents.get(d) ?? []), k]);
    while (ready.length) {
      const k = ready.shift() as string;
      order.push(k);
      for (const dependent of dependents.get(k) ?? []) {
        const n = (remaining.get(dependent) as number) - 1;
        remaining.set(dependent, n);
        if (n === 0) {
          ready.push(dependent);
          ready.sort();
        }
      }
    }
    return order;
  }
}
