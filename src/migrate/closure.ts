import { UsageError } from '../core/errors.js';
import type { Described, Reference, SourceContext } from '../kinds/kind.js';
import { nodeKey } from '../kinds/model.js';
import { EXPORTS } from '../kinds/registry.js';
import type { SelectedResource } from '../select/selection-file.js';

export interface ClosureNode {
  key: string;
  ref: Reference;
  described: Described;
  selected: boolean;
  /** Final edges: hard dependencies in the graph, plus soft ones whose target is in it. */
  dependsOn: string[];
}

/** Run `fn` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Follow every dependency a tenant can read, from the selected resources: breadth first,
 * a bounded number of reads at a time. A dependency that cannot be read is reported (by its
 * kind) and its edge dropped, never silently.
 */
export async function closeOverDependencies(
  ctx: SourceContext,
  selection: readonly SelectedResource[],
  concurrency = 8,
): Promise<Map<string, ClosureNode>> {
  const nodes = new Map<string, ClosureNode>();
  const missing = new Set<string>();
  const selectedKeys = new Set(selection.map((s) => nodeKey(s.kind, s.id)));
  let frontier: Reference[] = selection.map((s) => ({ kind: s.kind, id: s.id }));
  const queued = new Set(frontier.map((r) => nodeKey(r.kind, r.id)));

  while (frontier.length > 0) {
    const next: Reference[] = [];
    const enqueue = (ref: Reference) => {
      const key = nodeKey(ref.kind, ref.id);
      if (!queued.has(key)) {
        queued.add(key);
        next.push(ref);
      }
    };
    await eachLimited(frontier, concurrency, async (ref) => {
      const key = nodeKey(ref.kind, ref.id);
      const exporter = EXPORTS[ref.kind];
      if (!exporter) {
        missing.add(key);
        return;
      }
      const described = await exporter.describe(ctx, ref.id);
      if (!described) {
        missing.add(key);
        return;
      }
      nodes.set(key, { key, ref, described, selected: selectedKeys.has(key), dependsOn: [] });
      for (const inline of described.inline ?? []) {
        const inlineKey = nodeKey(inline.ref.kind, inline.ref.id);
        queued.add(inlineKey);
        if (!nodes.has(inlineKey))
          nodes.set(inlineKey, {
            key: inlineKey,
            ref: inline.ref,
            described: inline.described,
            selected: false,
            dependsOn: [],
          });
      }
      for (const dep of described.dependsOn) enqueue(dep);
      for (const rel of described.related ?? []) enqueue(rel);
    });
    frontier = next;
  }

  const unreadableSelected = [...selectedKeys].filter((k) => missing.has(k));
  if (unreadableSelected.length === selectedKeys.size) {
    throw new UsageError(
      `none of the selected resources can be read in the source: ${unreadableSelected.join(', ')}`,
      {
        hint: 'The selection may come from another project or cloud, or the resources were deleted; run `downpour select` again.',
      },
    );
  }
  for (const node of nodes.values()) {
    const deps = new Set<string>();
    for (const dep of node.described.dependsOn) {
      const key = nodeKey(dep.kind, dep.id);
      if (nodes.has(key)) deps.add(key);
      else
        ctx.note({
          severity: 'warning',
          code: 'DEPENDENCY_LEFT_OUT',
          key: node.key,
          message: `${node.key} (${node.described.name ?? 'unnamed'}) depends on ${key}, which could not be exported (see its note); it is exported without it`,
        });
    }
    for (const dep of node.described.softDependsOn ?? []) {
      const key = nodeKey(dep.kind, dep.id);
      if (nodes.has(key)) deps.add(key);
      else
        ctx.note({
          severity: 'info',
          code: 'STAYS_BEHIND',
          key: node.key,
          message: `${node.key} (${node.described.name ?? 'unnamed'}) also connects to ${key}, which is not part of this export: that connection stays behind`,
        });
    }
    deps.delete(node.key);
    node.dependsOn = [...deps].sort();
  }
  return nodes;
}
