import { pick, type KindExport, type Reference } from '../kind.js';
import type { SnapshotDocument } from './document.js';
import { snapshotList, snapshotsOf } from './source.js';

/**
 * A snapshot depends on its volume and on the snapshot of the same volume taken before it, so
 * the destination makes them again in their order.
 */
export const snapshotExport: KindExport<SnapshotDocument> = {
  kind: 'block-storage.snapshot',
  async describe(ctx, id) {
    const all = await ctx.cache.all(snapshotList);
    const snapshot = all.get(id);
    if (!snapshot || snapshot.status !== 'available') {
      ctx.note({
        severity: 'warning',
        code: 'SNAPSHOT_NOT_AVAILABLE',
        key: `block-storage.snapshot:${id}`,
        message: snapshot
          ? `snapshot ${snapshot.name || id} is ${snapshot.status}, not available: it is left out`
          : `snapshot ${id} does not exist or is not visible to this project`,
      });
      return undefined;
    }
    const siblings = snapshotsOf(all, snapshot.volume_id);
    const before = siblings[siblings.findIndex((s) => s.id === id) - 1];
    const dependsOn: Reference[] = [{ kind: 'block-storage.volume', id: snapshot.volume_id }];
    if (before) dependsOn.push({ kind: 'block-storage.snapshot', id: before.id });
    const document: SnapshotDocument = {
      ...pick(snapshot, ['name', 'description', 'size', 'volume_id', 'created_at']),
      metadata: Object.fromEntries(
        Object.entries(snapshot.metadata ?? {}).filter(([k]) => !k.startsWith('downpour:')),
      ),
    };
    return {
      name: snapshot.name || undefined,
      disposition: 'create',
      document,
      dependsOn,
      data: { from: 'snapshot', snapshotId: id },
    };
  },
};
