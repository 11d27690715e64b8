import * as servers from '../../openstack/compute/servers/index.js';
import * as volumes from '../../openstack/block-storage/volumes/index.js';
import { orUndefined } from '../../openstack/common.js';
import { flavorIdentity, flavorKey } from '../flavor.js';
import { SERVER_DISK_PREFIX } from '../image/export.js';
import type { Described, KindExport, Reference } from '../kind.js';
import type { ServerDocument } from './document.js';
import { keypairList } from '../keypair/source.js';
import { serverGroupList } from '../server-group/source.js';

export const serverExport: KindExport<ServerDocument> = {
  kind: 'compute.server',
  async describe(ctx, id) {
    const opts = ctx.signal ? { signal: ctx.signal } : {};
    const server = await orUndefined(() => servers.get(ctx.session, id, opts));
    if (!server) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `compute.server:${id}`,
        message: `server ${id} does not exist or is not visible to this project`,
      });
      return undefined;
    }
    const dependsOn: Reference[] = [];
    const inline: { ref: Reference; described: Described }[] = [];
    const key = `compute.server:${id}`;

    const flavorRef: Reference = { kind: 'compute.flavor', id: flavorKey(server.flavor) };
    dependsOn.push(flavorRef);
    inline.push({
      ref: flavorRef,
      described: {
        name: flavorRef.id,
        disposition: 'existing',
        identity: flavorIdentity(server.flavor),
        document: { name: flavorRef.id },
        dependsOn: [],
      },
    });

    // Network interfaces in the guest's NIC order. os-interface lists them in Neutron's order
    // (by port id); `addresses` follows Nova's network info cache, which keeps the NIC order.
    const macs = Object.values(server.addresses ?? {}).flatMap((list) =>
      list.map((a) => a['OS-EXT-IPS-MAC:mac_addr']),
    );
    const rank = (mac: string) => (macs.includes(mac) ? macs.indexOf(mac) : macs.length);
    const interfaces = [];
    for await (const nic of servers.listInterfaces(ctx.session, id, opts)) interfaces.push(nic);
    const nics = interfaces.sort((a, b) => rank(a.mac_addr) - rank(b.mac_addr)).map((nic) => nic.port_id);
    for (const port of nics) dependsOn.push({ kind: 'network.port', id: port });

    const attachments = [];
    for await (const a of servers.listVolumeAttachments(ctx.session, id, opts)) attachments.push(a);
    const deleteOnTermination = new Map(
      (server['os-extended-volumes:volumes_attached'] ?? []).map((v) => [
        v.id,
        v.delete_on_termination ?? false,
      ]),
    );
    const bootFromVolume = typeof server.image !== 'object';
    const volumeDocs: NonNullable<ServerDocument['volumes']> = [];
    let bootVolume: string | undefined;
    if (bootFromVolume) {
      // A member cannot read root_device_name: the boot volume is the bootable one on the first device.
      const candidates = [];
      for (const a of attachments) {
        const v = await orUndefined(() => volumes.get(ctx.session, a.volumeId, opts));
        if (v?.bootable === 'true') candidates.push({ id: a.volumeId, device: a.device ?? '' });
      }
      candidates.sort((a, b) => a.device.localeCompare(b.device));
      bootVolume = candidates[0]?.id;
      if (!bootVolume) {
        ctx.note({
          severity: 'warning',
          code: 'NO_BOOT_VOLUME',
          key,
          message: `server ${server.name} boots from a volume, but no attached bootable volume was found`,
        });
      }
    }
    for (const a of attachments) {
      dependsOn.push({ kind: 'block-storage.volume', id: a.volumeId });
      volumeDocs.push({
        volume_id: a.volumeId,
        device: a.device,
        delete_on_termination: deleteOnTermination.get(a.volumeId) ?? false,
        boot_index: a.volumeId === bootVolume ? 0 : null,
      });
    }

    const document: ServerDocument = {
      name: server.name,
      description: server.description ?? null,
      metadata: server.metadata ?? {},
      tags: (server.tags ?? []).filter((t) => !t.startsWith('downpour:')),
      availability_zone: server['OS-EXT-AZ:availability_zone'] ?? null,
      config_drive: server.config_drive === 'True',
      status: server.status,
      flavor: flavorRef.id,
      ports: nics,
      volumes: volumeDocs,
      key_name: server.key_name,
      // Nova lists a group once per port that uses it.
      security_groups: [...new Set((server.security_groups ?? []).map((g) => g.name))],
    };
    if (!bootFromVolume && typeof server.image === 'object') {
      const imageId = ctx.capture === 'image' ? server.image.id : `${SERVER_DISK_PREFIX}${id}`;
      document.image = imageId;
      document.boot_image = server.image.id;
      dependsOn.push({ kind: 'image.image', id: imageId });
    } else {
      document.image = null;
      document.boot_volume = bootVolume ?? null;
    }
    if (server.key_name) {
      if ((await ctx.cache.all(keypairList)).has(server.key_name))
        dependsOn.push({ kind: 'compute.keypair', id: server.key_name });
      else
        ctx.note({
          severity: 'warning',
          code: 'KEYPAIR_NOT_READABLE',
          key,
          message: `server ${server.name} uses keypair "${server.key_name}", which belongs to another user: the keypair is not exported`,
        });
    }
    for (const group of (await ctx.cache.all(serverGroupList)).values()) {
      if (group.members.includes(id)) {
        document.server_group = group.id;
        dependsOn.push({ kind: 'compute.server-group', id: group.id });
      }
    }
    ctx.note({
      severity: 'info',
      code: 'USER_DATA_UNREADABLE',
      key,
      message: `the user_data of server ${server.name} cannot be read with tenant credentials (admin-only); the server is recreated without it`,
    });
    return { name: server.name, disposition: 'create', document, dependsOn, inline };
  },
};
