import * as servers from '../../openstack/compute/servers/index.js';
import * as volumes from '../../openstack/block-storage/volumes/index.js';
import { orUndefined } from '../../openstack/common.js';
import { isConflict } from '../../openstack/http/errors.js';
import { landsInFlight } from '../apply/in-flight.js';
import type { ServerDocument } from './document.js';
import * as ports from '../../openstack/network/ports/index.js';
import { sleep } from '../../core/sleep.js';
import {
  intent,
  maybeTargetOf,
  opts,
  provenanceMetadata,
  provenanceTags,
  targetOf,
  type ApplyContext,
  type KindApply,
} from '../apply/context.js';

/** Nova tags must match ^[^,/]*$ and be at most 60 characters; at most 50 per server. */
const novaTag = (t: string) => t.length <= 60 && !/[,/]/.test(t);

function serverTags(
  ctx: ApplyContext,
  doc: ServerDocument,
  node: Parameters<KindApply['find']>[1],
): string[] {
  const own = (doc.tags ?? []).filter(novaTag);
  return [...own, ...provenanceTags(ctx, node).filter(novaTag)].slice(0, 50);
}

/** Whether the volume is being attached, or is attached, to this server: looked at for as long as a killed run's attach may take. */
async function attachingHere(ctx: ApplyContext, volumeId: string, serverId: string): Promise<boolean> {
  return landsInFlight(async () => {
    const v = await orUndefined(() => volumes.get(ctx.session, volumeId, opts(ctx)));
    if (v?.attachments.some((a) => a.server_id === serverId)) return true;
    return v && ['attaching', 'reserved', 'available'].includes(v.status) ? undefined : false;
  }, ctx.signal);
}

/** This import's ports for the server, by destination id. */
function ourPorts(ctx: ApplyContext, doc: ServerDocument): string[] {
  return (doc.ports ?? [])
    .map((p) => maybeTargetOf(ctx, 'network.port', p))
    .filter((id): id is string => !!id);
}

async function serverOnOurPorts(ctx: ApplyContext, doc: ServerDocument): Promise<{ id: string } | undefined> {
  const o = opts(ctx);
  for (const id of ourPorts(ctx, doc)) {
    const port = await orUndefined(() => ports.get(ctx.session, id, o));
    if (!port?.device_id || !port.device_owner.startsWith('compute:')) continue;
    const server = await orUndefined(() => servers.get(ctx.session, port.device_id, o));
    if (server) return { id: server.id };
  }
  return undefined;
}

/** Nova unbinds a deleted server's ports a moment after the server is gone: a new server needs them free. */
async function portsReleased(ctx: ApplyContext, doc: ServerDocument, serverId: string): Promise<void> {
  const o = opts(ctx);
  const deadline = Date.now() + 120_000;
  for (const id of ourPorts(ctx, doc)) {
    while ((await orUndefined(() => ports.get(ctx.session, id, o)))?.device_id === serverId) {
      if (Date.now() > deadline)
        throw new Error(`port ${id} is still held by the deleted server ${serverId}`);
      await sleep(1_000, ctx.signal);
    }
  }
}

export const serverApply: KindApply<ServerDocument> = {
  kind: 'compute.server',
  async find(ctx, node, doc, entry) {
    const o = opts(ctx);
    if (ctx.caps.serverTags) {
      for await (const s of servers.list(ctx.session, { tags: provenanceTags(ctx, node).filter(novaTag) }, o))
        return { id: s.id };
    } else {
      const meta = provenanceMetadata(ctx, node);
      for await (const s of servers.list(ctx.session, {}, o)) {
        if (
          s.metadata?.['downpour:src'] === meta['downpour:src'] &&
          s.metadata['downpour:bundle'] === meta['downpour:bundle']
        )
          return { id: s.id };
      }
    }
    // A run killed after asking for this server: the ports it was given are this import's own, so
    // a server holding one of them is the one that run made, whatever its tags say yet.
    return intent(entry) ? serverOnOurPorts(ctx, doc) : undefined;
  },
  async create(ctx, node, doc, record, existing) {
    const o = opts(ctx);
    const plan = ctx.plan.get(node.key);
    const vols = doc.volumes ?? [];
    const boot = vols.find((v) => v.boot_index === 0);
    const imageId = doc.image ? targetOf(ctx, 'image.image', doc.image) : undefined;
    const keyName = doc.key_name ? maybeTargetOf(ctx, 'compute.keypair', doc.key_name) : undefined;
    const group = doc.server_group ? maybeTargetOf(ctx, 'compute.server-group', doc.server_group) : undefined;
    const metadata = { ...(doc.metadata ?? {}) };
    if (!ctx.caps.serverTags) Object.assign(metadata, provenanceMetadata(ctx, node));
    const before = existing;
    if (before && (await orUndefined(() => servers.get(ctx.session, before.id, o)))?.status === 'ERROR') {
      // A server that failed to build is ours to replace, once it has let go of its ports.
      await serverApply.remove(ctx, {
        kind: 'compute.server',
        status: 'created',
        targetId: before.id,
        updatedAt: '',
      });
      await portsReleased(ctx, doc, before.id);
      existing = undefined;
    }
    const created =
      existing ??
      (await servers.create(
        ctx.session,
        {
          name: doc.name,
          flavorRef: plan?.overrides?.['flavor'] as string,
          ...(imageId ? { imageRef: imageId } : {}),
          ...(boot
            ? {
                block_device_mapping_v2: [
                  {
                    boot_index: 0,
                    uuid: targetOf(ctx, 'block-storage.volume', boot.volume_id),
                    source_type: 'volume',
                    destination_type: 'volume',
                    delete_on_termination: false,
                  },
                ],
              }
            : {}),
          networks: (doc.ports ?? []).map((p) => ({
            port: targetOf(ctx, 'network.port', p),
          })),
          ...(keyName ? { key_name: keyName } : {}),
          metadata,
          ...(ctx.caps.serverTags ? { tags: serverTags(ctx, doc, node) } : {}),
          ...(plan?.overrides?.['availability_zone']
            ? { availability_zone: plan.overrides['availability_zone'] as string }
            : {}),
          ...(doc.config_drive === true ? { config_drive: true } : {}),
          ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
        },
        { ...o, ...(group ? { schedulerHints: { group } } : {}) },
      ));
    if (created.id !== existing?.id) await record({ id: created.id });
    await servers.waitForServerStatus(ctx.session, created.id, 'ACTIVE', { ...o, timeoutMs: 1_800_000 });
    const attached: string[] = [];
    const present = new Set<string>();
    for await (const a of servers.listVolumeAttachments(ctx.session, created.id, o)) present.add(a.volumeId);
    for (const v of vols.filter((x) => x.boot_index !== 0)) {
      const volumeId = maybeTargetOf(ctx, 'block-storage.volume', v.volume_id);
      if (!volumeId) continue;
      if (!present.has(volumeId)) {
        try {
          await servers.attachVolume(
            ctx.session,
            created.id,
            { volumeId, ...(v.delete_on_termination ? { delete_on_termination: true } : {}) },
            o,
          );
        } catch (err) {
          // A run killed while its own attach was under way: the volume is already on its way here.
          if (!isConflict(err) || !(await attachingHere(ctx, volumeId, created.id))) throw err;
        }
        await volumes.waitForVolumeStatus(ctx.session, volumeId, 'in-use', o);
      }
      attached.push(volumeId);
    }
    if (doc.status === 'SHUTOFF') {
      // The source server was stopped: so is its copy.
      // A killed run may have asked already: Nova refuses a second stop while the first is under way.
      const now = await servers.get(ctx.session, created.id, o);
      if (now.status !== 'SHUTOFF' && now['OS-EXT-STS:task_state'] !== 'powering-off')
        await servers.stop(ctx.session, created.id, o);
      await servers.waitForServerStatus(ctx.session, created.id, 'SHUTOFF', o);
    }
    return { id: created.id, extra: { attachedVolumes: attached } };
  },
  async remove(ctx, entry) {
    const id = entry.targetId;
    if (!id) return;
    const o = opts(ctx);
    if (!(await orUndefined(() => servers.get(ctx.session, id, o)))) return;
    await orUndefined(() => servers.remove(ctx.session, id, o));
    await servers.waitForServerDeleted(ctx.session, id, { ...o, timeoutMs: 600_000 });
  },
};
