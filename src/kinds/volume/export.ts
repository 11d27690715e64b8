import * as volumes from '../../openstack/block-storage/volumes/index.js';
import { orUndefined } from '../../openstack/common.js';
import { pick, type KindExport, type Reference, type Described } from '../kind.js';
import { CINDER_IMAGE_KEYS, portableImageDocument } from '../image/export.js';
import { volumeTypeIdentity } from '../volume-type.js';
import type { VolumeDocument } from './document.js';
import { snapshotList, snapshotsOf } from '../snapshot/source.js';

export const volumeExport: KindExport<VolumeDocument> = {
  kind: 'block-storage.volume',
  async describe(ctx, id) {
    const volume = await orUndefined(() =>
      volumes.get(ctx.session, id, ctx.signal ? { signal: ctx.signal } : {}),
    );
    if (!volume) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `block-storage.volume:${id}`,
        message: `volume ${id} does not exist or is not visible to this project`,
      });
      return undefined;
    }
    if (volume.encrypted) {
      ctx.note({
        severity: 'warning',
        code: 'VOLUME_ENCRYPTED',
        key: `block-storage.volume:${id}`,
        message: `volume ${volume.name || id} is encrypted; its key lives in the source's key manager and cannot move, so the volume is left out`,
      });
      return undefined;
    }
    const document: VolumeDocument = pick(volume, [
      'name',
      'description',
      'size',
      'availability_zone',
      'bootable',
      'multiattach',
      'volume_type',
    ]);
    document.metadata = Object.fromEntries(
      Object.entries(volume.metadata ?? {}).filter(([k]) => !k.startsWith('downpour:')),
    );
    if (volume.volume_image_metadata) {
      const meta = portableImageDocument(volume.volume_image_metadata);
      for (const k of CINDER_IMAGE_KEYS) delete meta[k];
      document.volume_image_metadata = meta;
    }
    const dependsOn: Reference[] = [];
    const inline: { ref: Reference; described: Described }[] = [];
    if (volume.volume_type) {
      const ref: Reference = { kind: 'block-storage.volume-type', id: volume.volume_type };
      dependsOn.push(ref);
      inline.push({
        ref,
        described: {
          name: volume.volume_type,
          disposition: 'existing',
          identity: volumeTypeIdentity(volume.volume_type),
          document: { name: volume.volume_type },
          dependsOn: [],
        },
      });
    }
    // Its snapshots move with it, oldest first (each depends on the one before).
    const related: Reference[] = snapshotsOf(await ctx.cache.all(snapshotList), id).map((s) => ({
      kind: 'block-storage.snapshot',
      id: s.id,
    }));
    return {
      name: volume.name || undefined,
      disposition: 'create',
      document,
      dependsOn,
      inline,
      ...(related.length ? { related } : {}),
      data: { from: 'volume', volumeId: id },
    };
  },
};
