import type { GraphDocument, GraphNode, KindName } from '../kinds/model.js';
import type { DestinationFacts, Finding, MappingFile, PlannedNode } from './types.js';

/** What every resolver reads and writes while one plan is made. Pure data: no I/O anywhere. */
export interface PlanContext {
  graph: GraphDocument;
  bundleId: string;
  facts: DestinationFacts;
  mapping: MappingFile;
  /** Graph nodes in key order. */
  nodes: GraphNode[];
  byKey: Map<string, GraphNode>;
  /** The portable resource document of a node (empty when the caller gave none). */
  doc(key: string): Record<string, unknown>;
  planned: Map<string, PlannedNode>;
  findings: Finding[];
}

export function createContext(input: {
  graph: GraphDocument;
  bundleId: string;
  documents: Map<string, Record<string, unknown>>;
  facts: DestinationFacts;
  mapping: MappingFile;
}): PlanContext {
  const nodes = [...input.graph.nodes].sort((a, b) => compareStrings(a.key, b.key));
  return {
    graph: input.graph,
    bundleId: input.bundleId,
    facts: input.facts,
    mapping: input.mapping,
    nodes,
    byKey: new Map(nodes.map((n) => [n.key, n])),
    doc: (key) => unwrapDocument(input.documents.get(key)),
    planned: new Map(),
    findings: [],
  };
}

/**
 * The stored blob is `{kind, sourceId, name, document}`; the planner wants `document`. Either
 * form is accepted, so a caller that hands over the blob as read gets the same plan.
 */
function unwrapDocument(value: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!value) return {};
  const inner = value['document'];
  if (
    typeof value['kind'] === 'string' &&
    typeof value['sourceId'] === 'string' &&
    inner !== null &&
    typeof inner === 'object' &&
    !Array.isArray(inner)
  ) {
    return inner as Record<string, unknown>;
  }
  return value;
}

/** Code-point order: the same on every machine and locale, which `localeCompare` is not. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function nodesOfKind(ctx: PlanContext, kind: KindName): GraphNode[] {
  return ctx.nodes.filter((n) => n.kind === kind);
}

export function addFinding(ctx: PlanContext, finding: Finding): void {
  ctx.findings.push(finding);
}

export function setPlanned(
  ctx: PlanContext,
  node: GraphNode,
  planned: Omit<PlannedNode, 'key' | 'kind' | 'name'>,
): PlannedNode {
  const entry: PlannedNode = { key: node.key, kind: node.kind, name: node.name, ...planned };
  ctx.planned.set(node.key, entry);
  return entry;
}

/** `overrides` merged into a node already planned (servers and volumes get theirs in several steps). */
export function addOverrides(ctx: PlanContext, key: string, overrides: Record<string, unknown>): void {
  const entry = ctx.planned.get(key);
  if (!entry) return;
  entry.overrides = { ...(entry.overrides ?? {}), ...overrides };
}

/** The display name of a node: its name, else its source id. */
export function label(node: GraphNode): string {
  return node.name ? `"${node.name}"` : node.sourceId;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** A short list for messages: at most `max` items, then "and N more". */
export function listSome(items: readonly string[], max = 8): string {
  if (items.length === 0) return '(none)';
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, and ${items.length - max} more` : shown;
}
