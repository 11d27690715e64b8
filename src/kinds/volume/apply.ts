import * as images from '../../openstack/image/images/index.js';
import * as volumes from '../../openstack/block-storage/volumes/index.js';
import { orUndefined } from '../../openstack/common.js';
import {
  defined,
  opts,
  provenanceMetadata,
  provenanceTags,
  text,
  type ApplyContext,
  type KindApply,
} from '../apply/context.js';
import { CINDER_IMAGE_KEYS } from '../image/export.js';
import { imageCreateInput, uploadNodeData } from '../apply/data.js';
import type { VolumeDocument } from './document.js';

const tempName = (ctx: ApplyContext, sourceId: string) =>
  `downpour-tmp-${ctx.bundleId.slice(0, 8)}-volume-${sourceId}`;

/** Wait for the volume, match the source's bootable flag, drop the temporary image. Idempotent. */
async function finishVolume(
  ctx: ApplyContext,
  volumeId: string,
  doc: VolumeDocument,
  imageId: string | undefined,
) {
  const o = opts(ctx);
  const volume = await volumes.waitForVolumeStatus(ctx.session, volumeId, ['available', 'in-use'], {
    ...o,
    timeoutMs: 3_600_000,
  });
  // Created from an image, Cinder marks a volume bootable: keep the source's word.
  if (doc.bootable === 'false' && volume.bootable === 'true')
    await volumes.setBootable(ctx.session, volumeId, false, o);
  if (imageId) await orUndefined(() => images.remove(ctx.session, imageId, o));
  return { id: volumeId };
}

/**
 * A volume's data reaches Cinder through a temporary Glance image (create-from-image is the
 * interoperable way in); the image is deleted once the volume is available.
 */
export const volumeApply: KindApply<VolumeDocument> = {
  kind: 'block-storage.volume',
  async find(ctx, node) {
    for await (const v of volumes.list(ctx.session, { metadata: provenanceMetadata(ctx, node) }, opts(ctx)))
      return { id: v.id };
    return undefined;
  },
  async create(ctx, node, doc, record, existing) {
    const o = opts(ctx);
    if (existing) {
      const current = await orUndefined(() => volumes.get(ctx.session, existing.id, o));
      if (current && current.status !== 'error') return finishVolume(ctx, existing.id, doc, undefined);
      // A volume that failed to build is ours to replace: remove it and build it again.
      if (current)
        await volumeApply.remove(ctx, {
          kind: 'block-storage.volume',
          status: 'created',
          targetId: existing.id,
          updatedAt: '',
        });
    }
    const label = `volume ${text(doc.name, node.sourceId)}`;
    const plan = ctx.plan.get(node.key);
    let imageId: string | undefined;
    if (node.data && node.dataInfo) {
      const tags = [...provenanceTags(ctx, node), 'downpour:temporary'];
      let temp: images.Image | undefined;
      for await (const img of images.list(ctx.session, { tag: tags, owner: ctx.session.project.id }, o))
        temp = img;
      if (!temp || !['queued', 'saving', 'active'].includes(temp.status)) {
        const meta = Object.fromEntries(
          Object.entries(doc.volume_image_metadata ?? {}).filter(([k]) => !CINDER_IMAGE_KEYS.has(k)),
        );
        temp = await images.create(
          ctx.session,
          imageCreateInput(
            {
              ...meta,
              name: tempName(ctx, node.sourceId),
              disk_format: node.dataInfo.disk_format,
              container_format: node.dataInfo.container_format,
              tags: [],
            },
            tags,
          ),
          o,
        );
      }
      if (temp.status !== 'active') await uploadNodeData(ctx, node, temp, label);
      imageId = temp.id;
    }
    // The rest (Cinder building the volume from the image) is not data this import still has to check.
    ctx.dataSent?.();
    const volume = await volumes.create(
      ctx.session,
      defined<volumes.CreateVolumeInput>({
        size: doc.size,
        name: doc.name,
        description: doc.description,
        imageRef: imageId,
        volume_type: plan?.overrides?.['volume_type'],
        availability_zone: plan?.overrides?.['availability_zone'],
        metadata: { ...(doc.metadata ?? {}), ...provenanceMetadata(ctx, node) },
        multiattach: doc.multiattach === true ? true : undefined,
      }),
      o,
    );
    await record({ id: volume.id });
    return finishVolume(ctx, volume.id, doc, imageId);
  },
  async remove(ctx, entry) {
    const id = entry.targetId;
    if (!id) return;
    const o = opts(ctx);
    const v = await orUndefined(() => volumes.get(ctx.session, id, o));
    if (!v) return;
    if (v.status !== 'available' && v.status !== 'error') {
      await volumes.waitForVolumeStatus(ctx.session, id, ['available', 'error'], {
        ...o,
        timeoutMs: 600_000,
      });
    }
    await orUndefined(() => volumes.remove(ctx.session, id, o));
    await volumes.waitForVolumeDeleted(ctx.session, id, o);
  },
};
