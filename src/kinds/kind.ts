import type { Session } from '../openstack/session/session.js';
import type { ApplyContext, KindApply } from './apply/context.js';
import { checkDocument, type DocumentOf, type DocumentSchema } from './document.js';
import type { CaptureMode } from '../select/selection-file.js';
import type { Disposition, ExportNote, GraphNode, KindName } from './model.js';
import type { SourceCache } from './source-cache.js';

/** A typed reference from one resource to another, by source id. */
export interface Reference {
  kind: KindName;
  id: string;
}

export interface SourceContext {
  session: Session;
  cache: SourceCache;
  capture: CaptureMode;
  note(note: ExportNote): void;
  signal?: AbortSignal;
}

/** How the data of a node is obtained from the source. */
export type DataPlan =
  | { from: 'image'; imageId: string }
  | { from: 'volume'; volumeId: string }
  /** A user's snapshot of a volume: through a temporary volume made from it. */
  | { from: 'snapshot'; snapshotId: string }
  | { from: 'server-snapshot'; serverId: string; bootImageId: string | undefined }
  /** A Swift container's objects: stored as pages of entries in the container's own document. */
  | { from: 'container'; container: string };

/** What a kind says about one source resource, with its bundle document of type `D`. */
export interface Described<D extends Record<string, unknown> = Record<string, unknown>> {
  name: string | undefined;
  disposition: Disposition;
  /** For existing nodes: what maps it at the destination. */
  identity?: Record<string, unknown>;
  /** The portable document stored in the bundle. */
  document: D;
  /** Must exist (at the destination) before this one: always followed. */
  dependsOn: Reference[];
  /** Edges kept only when the target is in the graph for another reason (a router's interfaces). */
  softDependsOn?: Reference[];
  /** Resources that hang off this one and move with it (a port's floating IP, a subnet's router). */
  related?: Reference[];
  data?: DataPlan;
  /** Nodes fully described by this one (a server's flavor, a volume's type): no request of their own. */
  inline?: { ref: Reference; described: Described }[];
}

/** The export side of a resource kind: every kind's `export.ts` has this shape. */
export interface KindExport<D extends Record<string, unknown> = Record<string, unknown>> {
  kind: KindName;
  /** Read the resource from the source; undefined when it is gone or unreadable (after a note). */
  describe(ctx: SourceContext, id: string): Promise<Described<D> | undefined>;
}

/**
 * Copy only the listed fields that are present: portable documents are allowlists, not
 * denylists. Typed by the wire object, so a document built from it is checked against its schema.
 */
export function pick<T extends object, const K extends keyof T>(obj: T, fields: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {};
  for (const f of fields) if (obj[f] !== undefined) out[f] = obj[f];
  // Only fields whose value is undefined are left out, and those are optional in T.
  return out as Pick<T, K>;
}

/**
 * Everything one kind does, in one place: its bundle document, how it is read from the source
 * (with its dependencies: what must exist first, what moves with it) and how it is found,
 * created, waited for and removed at the destination. Kinds that are only ever mapped (flavors,
 * volume types) have a document and nothing else.
 */
export interface KindDefinition<S extends DocumentSchema = DocumentSchema> extends KindFacts {
  type: KindName;
  document: S;
  export?: KindExport<DocumentOf<S>>;
  apply?: KindApply<DocumentOf<S>>;
}

/**
 * What every reader of a kind shares and no output format owns: how it is named, where it goes
 * in a rendered template, where destroy removes it. The places that order or name resources by
 * kind read these from the registry and keep no table of their own.
 */
export interface KindFacts {
  /** What one and several are called in summaries and READMEs: `['port', 'ports']`. */
  noun: readonly [one: string, many: string];
  /**
   * Where it goes among resources that do not depend on each other in a rendered template
   * (lower first): the order a person reads a template in. Kinds may share a rank.
   */
  renderRank: number;
  /** The start of its symbols in a rendered template (`port` in `port_web_front`): `[a-z][a-z0-9_]*`. */
  symbol: string;
  /**
   * Where destroy removes it among the kinds import creates (lower first): dependents before
   * what they depend on. Every kind with an apply side has one; no two share it.
   */
  removalRank?: number;
  /**
   * The destination quota each object import creates of this kind counts one against, as the
   * service's API names it (`{ service: 'network', resource: 'port' }`). The plan checks it
   * before an import creates anything.
   */
  quota?: { service: 'compute' | 'network' | 'block-storage'; resource: string };
}

/** A kind as the registry holds it: its apply side checks each document against the kind's schema. */
export interface RegisteredKind<S extends DocumentSchema = DocumentSchema> extends KindFacts {
  type: KindName;
  document: S;
  export?: KindExport;
  apply?: KindApply;
}

/** A kind ready for the registry: the import side is handed a document checked against the kind's schema. */
export function defineKind<S extends DocumentSchema>(def: KindDefinition<S>): RegisteredKind<S> {
  const { apply } = def;
  const checked = (node: GraphNode, doc: Record<string, unknown>) =>
    checkDocument(def.document, { kind: def.type, sourceId: node.sourceId, name: node.name }, doc);
  return {
    type: def.type,
    document: def.document,
    noun: def.noun,
    renderRank: def.renderRank,
    symbol: def.symbol,
    ...(def.removalRank !== undefined ? { removalRank: def.removalRank } : {}),
    ...(def.quota ? { quota: def.quota } : {}),
    ...(def.export ? { export: def.export } : {}),
    ...(apply
      ? {
          apply: {
            kind: def.type,
            find: (ctx: ApplyContext, node, doc, entry) => apply.find(ctx, node, checked(node, doc), entry),
            create: (ctx, node, doc, record, existing) =>
              apply.create(ctx, node, checked(node, doc), record, existing),
            remove: (ctx, entry) => apply.remove(ctx, entry),
            ...(apply.tagged ? { tagged: apply.tagged } : {}),
          } satisfies KindApply,
        }
      : {}),
  };
}
