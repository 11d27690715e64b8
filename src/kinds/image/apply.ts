import * as images from '../../openstack/image/images/index.js';
import { orUndefined } from '../../openstack/common.js';
import { opts, provenanceTags, text, type KindApply } from '../apply/context.js';
import { imageCreateInput, uploadNodeData } from '../apply/data.js';
import type { ImageDocument } from './document.js';

export const imageApply: KindApply<ImageDocument> = {
  kind: 'image.image',
  async find(ctx, node) {
    for await (const img of images.list(
      ctx.session,
      { tag: provenanceTags(ctx, node), owner: ctx.session.project.id },
      opts(ctx),
    )) {
      return { id: img.id };
    }
    return undefined;
  },
  async create(ctx, node, doc, record, existing) {
    const label = `image ${text(doc.name, node.sourceId)}`;
    // A record from an earlier run that died mid-upload is reused: Glance lets a queued image take its data again.
    let image = existing
      ? await orUndefined(() => images.get(ctx.session, existing.id, opts(ctx)))
      : undefined;
    if (!image) {
      image = await images.create(ctx.session, imageCreateInput(doc, provenanceTags(ctx, node)), opts(ctx));
      await record({ id: image.id });
    }
    if (image.status !== 'active') await uploadNodeData(ctx, node, image, label);
    ctx.dataSent?.();
    return { id: image.id };
  },
  async remove(ctx, entry) {
    if (entry.targetId)
      await orUndefined(() => images.remove(ctx.session, entry.targetId as string, opts(ctx)));
  },
};
