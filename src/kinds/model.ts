import type { Descriptor } from '../bundle/layout.js';

/**
 * The bundle's graph document: what an export found, and everything an import, a plan or a
 * renderer needs, with no reference to the source cloud beyond its ids. Versioned: a reader
 * refuses a schemaVersion it does not know.
 */
export const GRAPH_SCHEMA_VERSION = 1;

export const KIND_NAMES = [
  'compute.flavor',
  'compute.keypair',
  'compute.server-group',
  'compute.server',
  'network.network',
  'network.subnet',
  'network.router',
  'network.port',
  'network.security-group',
  'network.security-group-rules',
  'network.floating-ip',
  'image.image',
  'block-storage.volume-type',
  'block-storage.volume',
  'block-storage.snapshot',
  'object-store.container',
] as const;
export type KindName = (typeof KIND_NAMES)[number];

export type { Descriptor };

/** "create": Downpour creates it at the destination. "existing": it must be there already and is mapped. */
export type Disposition = 'create' | 'existing';

/** What an import needs to know about captured data. */
export interface DataInfo {
  /** Bytes of the captured data. */
  size: number;
  disk_format: string;
  container_format: string;
  /** SHA-256 of the whole data, as stored in the bundle. */
  sha256: string;
  /** The source's own hash of the same bytes (Glance multihash), when it had one. */
  source_hash?: { algorithm: string; value: string };
  /** How the bytes were obtained: an image's file, a volume upload, a server snapshot. */
  captured_from: 'image' | 'volume' | 'server-snapshot';
}

export interface GraphNode {
  /** `${kind}:${sourceId}`: unique in the graph. */
  key: string;
  kind: KindName;
  sourceId: string;
  name: string | undefined;
  disposition: Disposition;
  /** For existing nodes: what finds or maps it at the destination (name, sizes, hash, router:external). */
  identity?: Record<string, unknown>;
  /** Keys of the nodes that must exist first. */
  dependsOn: string[];
  /** The portable resource document (references by source id, no server-generated fields). */
  document: Descriptor;
  /** The data manifest, for images and volumes. */
  data?: Descriptor;
  dataInfo?: DataInfo;
  /** Selected by the user (as opposed to pulled in as a dependency). */
  selected: boolean;
}

export type NoteSeverity = 'info' | 'warning';

/** Something the export could not read or chose to leave out, reported instead of dropped. */
export interface ExportNote {
  severity: NoteSeverity;
  code: string;
  /** The node it concerns, if any. */
  key?: string;
  message: string;
}

export interface GraphDocument {
  schemaVersion: typeof GRAPH_SCHEMA_VERSION;
  /** The source, as far as the bundle needs to say (no credentials, no tokens, no endpoints beyond auth_url). */
  source: {
    cloud: string;
    authUrl: string;
    region: string | undefined;
    project: { id: string; name: string };
  };
  exportedAt: string;
  downpourVersion: string;
  options: { capture: 'snapshot' | 'stop' | 'image' };
  selection: { kind: string; id: string; name?: string }[];
  nodes: GraphNode[];
  notes: ExportNote[];
}

export const nodeKey = (kind: KindName, sourceId: string): string => `${kind}:${sourceId}`;

export function parseNodeKey(key: string): { kind: KindName; sourceId: string } {
  const i = key.indexOf(':');
  return { kind: key.slice(0, i) as KindName, sourceId: key.slice(i + 1) };
}
