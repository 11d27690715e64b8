import * as snapshots from '../../openstack/block-storage/snapshots/index.js';
import type { SourceList } from '../source-cache.js';

/** The project's snapshots at the source, listed once per export. */
export const snapshotList: SourceList<snapshots.Snapshot> = {
  kind: 'block-storage.snapshot',
  list: (session, options) => snapshots.list(session, {}, options),
  keyOf: (s) => s.id,
};

/** Names Downpour gives its own temporaries: never a user's snapshot. */
export const isTemporary = (s: snapshots.Snapshot): boolean =>
  /^downpour-(tmp|probe)-/.test(s.name ?? '') ||
  Object.keys(s.metadata ?? {}).some((k) => k.startsWith('downpour:'));

/** The user's available snapshots of a volume, oldest first. */
export function snapshotsOf(
  all: ReadonlyMap<string, snapshots.Snapshot>,
  volumeId: string,
): snapshots.Snapshot[] {
  return [...all.values()]
    .filter((s) => s.volume_id === volumeId && s.status === 'available' && !isTemporary(s))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}
