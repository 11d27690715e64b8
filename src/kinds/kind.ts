import type { Session } from '../openstack/session/session.js';
import type { CaptureMode } from '../select/selection-file.js';
import type { Disposition, ExportNote, KindName } from './model.js';
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
  | { from: 'server-snapshot'; serverId: string; bootImageId: string | undefined };

/** What a kind says about one source resource. */
export interface Described {
  name: string | undefined;
  disposition: Disposition;
  /** For existing nodes: what maps it at the destination. */
  identity?: Record<string, unknown>;
  /** The portable document stored in the bundle. */
  document: Record<string, unknown>;
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

/** The export side of a resource kind: one file per kind, all with this shape. */
export interface KindExport {
  kind: KindName;
  /** Read the resource from the source; undefined when it is gone or unreadable (after a note). */
  describe(ctx: SourceContext, id: string): Promise<Described | undefined>;
}

/** Copy only the listed fields that are present: portable documents are allowlists, not denylists. */
export function pick(doc: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (doc[f] !== undefined) out[f] = doc[f];
  return out;
}
