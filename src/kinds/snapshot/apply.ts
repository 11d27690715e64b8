import * as snapshots from '../../openstack/block-storage/snapshots/index.js';
import * as volumes from '../../openstack/block-storage/volumes/index.js';
import { orUndefined } from '../../openstack/common.js';
import {
  opts,
  provenanceMetadata,
  text,
  type ApplyContext,
  type Created,
  type KindApply,
} from '../apply/context.js';
import type { GraphNode } from '../model.js';
import { volumeApply } from '../volume/apply.js';
import type { VolumeDocument } from '../volume/document.js';
import type { SnapshotDocument } from './document.js';

/**
 * Cinder has no way to write bytes into a snapshot, and a snapshot cannot outlive its volume.
 * The snapshot's data becomes a volume of its own (named after the snapshot and its volume,
 * created like any volume from the bundle's data, with the parent volume's planned type and
 * zone), and the snapshot is taken of that volume, with the source's name, description and
 * metadata. The report says so; the copy of the parent volume itself carries no snapshots.
 */
function helperDocument(ctx: ApplyContext, doc: SnapshotDocument): VolumeDocument {
  const parent = ctx.documents.get(`block-storage.volume:${doc.volume_id}`) as VolumeDocument | undefined;
  const parentName = text(parent?.name, doc.volume_id);
  return {
    name: `${text(doc.name, 'snapshot')} (snapshot of ${parentName})`,
    description:
      `The data of snapshot ${text(doc.name, '')} of volume ${parentName}, taken ${doc.created_at ?? ''} at the source`.replace(
        /\s+/g,
        ' ',
      ),
    size: doc.size,
    metadata: {},
    ...(parent?.volume_type ? { volume_type: parent.volume_type } : {}),
  };
}

/** The parent volume's node, so the helper volume gets the type and zone the plan chose for it. */
const asParent = (node: GraphNode, doc: SnapshotDocument): GraphNode => ({
  ...node,
  key: `block-storage.volume:${doc.volume_id}`,
});

async function ourSnapshot(ctx: ApplyContext, node: GraphNode): Promise<snapshots.Snapshot | undefined> {
  for await (const s of snapshots.list(ctx.session, { metadata: provenanceMetadata(ctx, node) }, opts(ctx)))
    if (s.status !== 'error') return s;
  return undefined;
}

export const snapshotApply: KindApply<SnapshotDocument> = {
  kind: 'block-storage.snapshot',
  async find(ctx, node) {
    const s = await ourSnapshot(ctx, node);
    return s ? { id: s.id, extra: { stage: 'snapshot', volume: s.volume_id } } : undefined;
  },
  async create(ctx, node, doc, record, existing) {
    const o = opts(ctx);
    if (existing?.extra?.['stage'] === 'snapshot') {
      await snapshots.waitForSnapshotStatus(ctx.session, existing.id, 'available', o);
      return existing;
    }
    const parentNode = asParent(node, doc);
    const volumeDoc = helperDocument(ctx, doc);
    let helper: Created | undefined = existing;
    helper ??= await volumeApply.find(ctx, node, volumeDoc, undefined);
    const made = await volumeApply.create(
      ctx,
      { ...parentNode, sourceId: node.sourceId, data: node.data, dataInfo: node.dataInfo } as GraphNode,
      volumeDoc,
      (c) => record({ id: c.id, extra: { stage: 'volume', volume: c.id } }),
      helper,
    );
    const done = await ourSnapshot(ctx, node);
    const snapshot =
      done ??
      (await snapshots.create(
        ctx.session,
        {
          volume_id: made.id,
          ...(doc.name ? { name: doc.name } : {}),
          ...(doc.description ? { description: doc.description } : {}),
          metadata: { ...(doc.metadata ?? {}), ...provenanceMetadata(ctx, node) },
        },
        o,
      ));
    const created = { id: snapshot.id, extra: { stage: 'snapshot', volume: made.id } };
    await record(created);
    await snapshots.waitForSnapshotStatus(ctx.session, snapshot.id, 'available', o);
    ctx.warn(
      node.key,
      `snapshot ${text(doc.name, node.sourceId)}: Cinder cannot write data into a snapshot of another volume, so it was taken of a volume of its own, "${volumeDoc.name}"`,
    );
    return created;
  },
  async remove(ctx, entry) {
    const o = opts(ctx);
    const helper = typeof entry.extra?.['volume'] === 'string' ? entry.extra['volume'] : undefined;
    if (entry.extra?.['stage'] === 'snapshot' && entry.targetId) {
      const id = entry.targetId;
      if (await orUndefined(() => snapshots.get(ctx.session, id, o))) {
        await orUndefined(() => snapshots.remove(ctx.session, id, o));
        await snapshots.waitForSnapshotDeleted(ctx.session, id, o);
      }
    }
    const volumeId = helper ?? entry.targetId;
    if (volumeId && (await orUndefined(() => volumes.get(ctx.session, volumeId, o))))
      await volumeApply.remove(ctx, { ...entry, kind: 'block-storage.volume', targetId: volumeId });
  },
};
