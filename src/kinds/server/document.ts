import { maybe, metadata, tags, v, type DocumentOf } from '../document.js';

export const serverDocument = v.object({
  name: v.string(),
  description: maybe(v.string()),
  metadata,
  tags,
  availability_zone: maybe(v.string()),
  config_drive: maybe(v.boolean()),
  status: maybe(v.string()),
  /** The flavor node's source id (its name). */
  flavor: v.string(),
  /** Port source ids, in the order of the server's interfaces. */
  ports: maybe(v.array(v.string())),
  volumes: maybe(
    v.array(
      v.object({
        volume_id: v.string(),
        device: maybe(v.string()),
        delete_on_termination: maybe(v.boolean()),
        boot_index: maybe(v.number()),
      }),
    ),
  ),
  key_name: maybe(v.string()),
  /** Names, as Nova reports them. */
  security_groups: maybe(v.array(v.string())),
  /** The image node it boots from (its own captured disk, or the boot image with capture mode "image"). */
  image: maybe(v.string()),
  /** The image the source server was booted from. */
  boot_image: maybe(v.string()),
  boot_volume: maybe(v.string()),
  server_group: maybe(v.string()),
});
export type ServerDocument = DocumentOf<typeof serverDocument>;
