import * as images from '../../openstack/image/images/index.js';
import type { Image } from '../../openstack/image/images/index.js';
import * as servers from '../../openstack/compute/servers/index.js';
import { orUndefined } from '../../openstack/common.js';
import type { KindExport, SourceContext, Described } from '../kind.js';
import type { ImageDocument } from './document.js';

/** Fields Glance computes or owns, and properties Nova stamps on snapshots that name source-side objects. */
const NOT_PORTABLE = new Set([
  'id',
  'status',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'size',
  'virtual_size',
  'owner',
  'file',
  'schema',
  'self',
  'direct_url',
  'locations',
  'created_at',
  'updated_at',
  'stores',
  'os_hidden',
  'visibility',
  'instance_uuid',
  'base_image_ref',
  'image_location',
  'image_state',
  'owner_id',
  'user_id',
  'boot_roles',
  'owner_project_name',
  'owner_user_name',
  'block_device_mapping',
  'bdm_v2',
  'root_device_name',
]);

export function portableImageDocument(image: Record<string, unknown>): ImageDocument {
  const out: ImageDocument = {};
  for (const [k, v] of Object.entries(image)) {
    if (NOT_PORTABLE.has(k) || k.startsWith('os_glance') || k.startsWith('downpour:') || v === undefined)
      continue;
    out[k] = v;
  }
  out['tags'] = ((image['tags'] as string[] | undefined) ?? []).filter((t) => !t.startsWith('downpour:'));
  return out;
}

/** Keys Cinder itself writes into a volume's image metadata: it refuses to be given them. */
export const CINDER_IMAGE_KEYS = new Set(['signature_verified', 'image_id', 'image_name']);

/** A server's disk, captured by a snapshot at export: keyed `server-disk:<server id>`. */
export const SERVER_DISK_PREFIX = 'server-disk:';

async function describeServerDisk(
  ctx: SourceContext,
  serverId: string,
): Promise<Described<ImageDocument> | undefined> {
  const server = await orUndefined(() =>
    servers.get(ctx.session, serverId, ctx.signal ? { signal: ctx.signal } : {}),
  );
  if (!server) return undefined;
  const bootImageId = typeof server.image === 'object' ? server.image.id : undefined;
  const boot = bootImageId ? await orUndefined(() => images.get(ctx.session, bootImageId)) : undefined;
  const document: ImageDocument = boot
    ? portableImageDocument(boot)
    : { disk_format: 'raw', container_format: 'bare', min_disk: 0, min_ram: 0, tags: [] };
  document.name = `${server.name}-disk`;
  return {
    name: `${server.name}-disk`,
    disposition: 'create',
    document,
    dependsOn: [],
    data: { from: 'server-snapshot', serverId, bootImageId },
  };
}

export const imageExport: KindExport<ImageDocument> = {
  kind: 'image.image',
  async describe(ctx, id) {
    if (id.startsWith(SERVER_DISK_PREFIX))
      return describeServerDisk(ctx, id.slice(SERVER_DISK_PREFIX.length));
    const image: Image | undefined = await orUndefined(() =>
      images.get(ctx.session, id, ctx.signal ? { signal: ctx.signal } : {}),
    );
    if (!image) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `image.image:${id}`,
        message: `image ${id} does not exist or is not visible to this project`,
      });
      return undefined;
    }
    const name = image.name ?? undefined;
    if (image.owner !== ctx.cache.projectId) {
      // Public and shared images belong to someone else: found at the destination by name and hash.
      return {
        name,
        disposition: 'existing',
        identity: {
          name: image.name,
          os_hash_algo: image.os_hash_algo ?? null,
          os_hash_value: image.os_hash_value ?? null,
          checksum: image.checksum,
          size: image.size,
          disk_format: image.disk_format,
          visibility: image.visibility,
        },
        document: portableImageDocument(image),
        dependsOn: [],
      };
    }
    if (image.status !== 'active') {
      ctx.note({
        severity: 'warning',
        code: 'IMAGE_NOT_ACTIVE',
        key: `image.image:${id}`,
        message: `image ${name ?? id} is ${image.status}, not active: it has no data to export`,
      });
      return undefined;
    }
    return {
      name,
      disposition: 'create',
      document: portableImageDocument(image),
      dependsOn: [],
      data: { from: 'image', imageId: id },
    };
  },
};
