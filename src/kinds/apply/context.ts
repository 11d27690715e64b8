import { DownpourError, ExitCode } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { ProgressSink } from '../../core/progress.js';
import type { BundleReader } from '../../bundle/index.js';
import type { Session } from '../../openstack/session/session.js';
import { checkDocument, type DocumentOf, type DocumentSchema } from '../document.js';
import type { GraphNode, KindName } from '../model.js';

export type EntryStatus =
  /** The create call was about to be sent: on resume, look for the object before creating another. */
  | 'creating'
  | 'created'
  /** Found at the destination by its provenance after a run died between create and journal. */
  | 'adopted'
  | 'mapped'
  | 'reused'
  | 'merged'
  | 'failed';

export interface JournalEntry {
  kind: KindName;
  status: EntryStatus;
  targetId?: string;
  /** What else this node made: router interfaces, rules merged into a default group, a temporary image... */
  extra?: Record<string, unknown>;
  error?: string;
  updatedAt: string;
}

/** The import's journal, as far as a kind reads it: the destination id of a node already made. */
export interface AppliedIds {
  targetOf(key: string): string | undefined;
}

/** What the plan says for one node, as far as a kind needs it (the plan's `PlannedNode`). */
export interface NodePlan {
  action: 'create' | 'map' | 'reuse' | 'merge';
  /** For map, reuse and merge: the destination object. */
  target?: { id: string; name?: string };
  /** Destination values the create uses instead of the source's. */
  overrides?: Record<string, unknown>;
}

/** What the destination can do that changes how objects are created and marked. */
export interface DestinationCaps {
  /** Neutron standard-attr-tag. */
  neutronTags: boolean;
  /** Nova tags at create (2.52). */
  serverTags: boolean;
  extraroute: boolean;
  portSecurity: boolean;
  allowedAddressPairs: boolean;
}

export interface ApplyContext {
  session: Session;
  bundleId: string;
  journal: AppliedIds;
  reader: BundleReader;
  nodes: ReadonlyMap<string, GraphNode>;
  plan: ReadonlyMap<string, NodePlan>;
  /** Resource documents by node key. */
  documents: ReadonlyMap<string, Record<string, unknown>>;
  caps: DestinationCaps;
  progress: ProgressSink;
  logger: Logger;
  signal?: AbortSignal;
  warn(key: string, message: string): void;
  /**
   * For a node that carries data: call once its data is uploaded and verified. Nothing that
   * carries no data starts before every upload is in, so a damaged bundle is found first.
   */
  dataSent?: () => void;
  /**
   * Kinds of which a first run of this import found no object of this bundle at the
   * destination: a node of these kinds with nothing in the journal has no earlier copy to adopt,
   * so it is not looked for one by one.
   */
  nothingEarlier?: ReadonlySet<string>;
}

/** The destination id of a node this one depends on (created, adopted, mapped, reused or merged). */
export function targetOf(ctx: ApplyContext, kind: KindName, sourceId: string): string {
  const key = `${kind}:${sourceId}`;
  const id = ctx.journal.targetOf(key);
  if (!id) {
    throw new DownpourError(
      'E_DEPENDENCY_MISSING',
      ExitCode.unexpected,
      `${key} has no destination object yet`,
      {
        hint: 'It failed or was skipped earlier in this run; the report says why.',
      },
    );
  }
  return id;
}

export function maybeTargetOf(ctx: ApplyContext, kind: KindName, sourceId: string): string | undefined {
  return ctx.journal.targetOf(`${kind}:${sourceId}`);
}

/** The bundle document of another node this one needs to read (a router reads its subnets' gateways). */
export function documentIn<S extends DocumentSchema>(
  ctx: ApplyContext,
  kind: KindName,
  schema: S,
  sourceId: string,
): DocumentOf<S> | undefined {
  const doc = ctx.documents.get(`${kind}:${sourceId}`);
  return doc && checkDocument(schema, { kind, sourceId }, doc);
}

export const opts = (ctx: ApplyContext) => (ctx.signal ? { signal: ctx.signal } : {});

/** Tags that say which bundle and which source object a destination object came from. */
export function provenanceTags(ctx: ApplyContext, node: GraphNode): string[] {
  return [`downpour:bundle=${ctx.bundleId}`, `downpour:src=${node.sourceId}`];
}

export function provenanceMetadata(ctx: ApplyContext, node: GraphNode): Record<string, string> {
  return { 'downpour:bundle': ctx.bundleId, 'downpour:src': node.sourceId };
}

export interface Created {
  id: string;
  extra?: Record<string, unknown>;
}

/** The import side of a resource kind, given its checked bundle document: every kind's `apply.ts` has this shape. */
export interface KindApply<D extends Record<string, unknown> = Record<string, unknown>> {
  kind: KindName;
  /** An object that an earlier run created for this node (found by provenance), or undefined. */
  find(
    ctx: ApplyContext,
    node: GraphNode,
    doc: D,
    entry: JournalEntry | undefined,
  ): Promise<Created | undefined>;
  /**
   * Create it, or with `existing` (recorded or adopted by an earlier run) finish what that run
   * left undone (tags, interfaces, data, attachments): every step after the create call is
   * idempotent. `record` journals the new id as soon as the create call returns, before any
   * wait, so a kill after that point never leaves an unrecorded object.
   */
  create(
    ctx: ApplyContext,
    node: GraphNode,
    doc: D,
    record: (created: Created) => Promise<void>,
    existing: Created | undefined,
  ): Promise<Created>;
  /** Remove what `create` made (destroy). */
  remove(ctx: ApplyContext, entry: JournalEntry): Promise<void>;
  /**
   * For kinds that carry provenance tags from their create on: the destination's objects with
   * all of `tags`, which is how a first import learns whether an earlier one left anything, and
   * how destroy finds objects the journal lacks.
   */
  tagged?: (
    session: Session,
    tags: string[],
    options: TaggedOptions,
  ) => AsyncIterable<{ id: string; tags?: string[] }>;
}

export interface TaggedOptions {
  /** At most this many (a probe asks for one). */
  limit?: number;
  signal?: AbortSignal;
}

/** When the journal holds an intent for the node (its create was about to be sent), the time of it. */
export const intent = (entry: { status: string; updatedAt: string } | undefined) =>
  entry?.status === 'creating' ? entry.updatedAt : undefined;

/** A document field as text, or `fallback` when it is not a non-empty string. */
export const text = (v: unknown, fallback: string): string => (typeof v === 'string' && v ? v : fallback);

/**
 * A request body built from an untyped bundle document: fields without a value are left out
 * (exactOptionalPropertyTypes forbids `x: undefined`), and the caller names the wire type.
 */
export function defined<T>(o: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out as T;
}
