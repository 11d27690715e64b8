import { maybe, metadata, v, type DocumentOf } from '../document.js';

export const volumeDocument = v.object({
  name: maybe(v.string()),
  description: maybe(v.string()),
  size: v.number(),
  availability_zone: maybe(v.string()),
  /** Cinder spells it as a string: "true" or "false". */
  bootable: maybe(v.union([v.string(), v.boolean()])),
  multiattach: maybe(v.boolean()),
  volume_type: maybe(v.string()),
  metadata,
  /** The image properties Cinder keeps for a volume made from an image (open, like an image's). */
  volume_image_metadata: maybe(v.record(v.string(), v.unknown())),
});
export type VolumeDocument = DocumentOf<typeof volumeDocument>;
