import { maybe, metadata, v, type DocumentOf } from '../document.js';

/** A Cinder snapshot of a volume the bundle carries: its data is captured like a volume's. */
export const snapshotDocument = v.object({
  name: maybe(v.string()),
  description: maybe(v.string()),
  metadata,
  /** GiB, as the parent volume's. */
  size: v.number(),
  /** The source volume it belongs to. */
  volume_id: v.string(),
  /** When it was taken at the source: snapshots of one volume are made again in this order. */
  created_at: maybe(v.string()),
});
export type SnapshotDocument = DocumentOf<typeof snapshotDocument>;
