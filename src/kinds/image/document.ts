import { maybe, tags, v, type DocumentOf } from '../document.js';

/**
 * An image's portable properties: Glance's own fields and any custom property the source had,
 * which is why the object is open (every property that is not named here is carried as it was).
 */
export const imageDocument = v.looseObject({
  name: maybe(v.string()),
  disk_format: maybe(v.string()),
  container_format: maybe(v.string()),
  min_disk: maybe(v.number()),
  min_ram: maybe(v.number()),
  protected: maybe(v.boolean()),
  tags,
});
export type ImageDocument = DocumentOf<typeof imageDocument>;
