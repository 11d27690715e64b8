import { errorMessage } from '../core/errors.js';
import * as servers from '../openstack/compute/servers/index.js';
import * as volumes from '../openstack/block-storage/volumes/index.js';
import * as images from '../openstack/image/images/index.js';
import * as ports from '../openstack/network/ports/index.js';
import { orUndefined } from '../openstack/common.js';
import type { ImportContext } from './import-context.js';
import { checkDestinationHash } from '../kinds/apply/data.js';
import { documentOf } from '../kinds/load.js';
import type { GraphDocument } from '../kinds/model.js';

export interface VerificationCheck {
  key: string;
  check: string;
  ok: boolean;
  detail: string;
}

/**
 * Objects read in one list where the API can filter by this bundle's tag, so that checking
 * twenty servers costs one request, not twenty; anything the list did not show (an object
 * without the tag, or a list that failed) is read on its own.
 */
function snapshotOf<T extends { id: string }>(
  list: () => AsyncIterable<T>,
  get: (id: string) => Promise<T>,
): (id: string) => Promise<T> {
  let listed: Promise<Map<string, T>> | undefined;
  return async (id) => {
    listed ??= (async () => {
      const byId = new Map<string, T>();
      try {
        for await (const item of list()) byId.set(item.id, item);
      } catch {
        byId.clear();
      }
      return byId;
    })();
    return (await listed).get(id) ?? get(id);
  };
}

/**
 * After the walk: servers ACTIVE (or SHUTOFF like their source), every server port bound to
 * its server (device_id: this cloud binds every port, so status alone proves nothing), data
 * volumes attached to the right server, uploaded images active with the source's hash.
 */
export async function verifyImport(ctx: ImportContext, graph: GraphDocument): Promise<VerificationCheck[]> {
  const checks: VerificationCheck[] = [];
  const o = ctx.signal ? { signal: ctx.signal } : {};
  const bundleTag = `downpour:bundle=${ctx.bundleId}`;
  const serverOf = snapshotOf(
    () =>
      ctx.caps.serverTags ? servers.list(ctx.session, { tags: [bundleTag] }, o) : noItems<servers.Server>(),
    (id) => servers.get(ctx.session, id, o),
  );
  const portOf = snapshotOf(
    () => ports.list(ctx.session, { tags: [bundleTag] }, o),
    (id) => ports.get(ctx.session, id, o),
  );
  // Cinder filters by metadata only from some microversions on: the project's volumes, once.
  const volumeOf = snapshotOf(
    () => volumes.list(ctx.session, {}, o),
    (id) => volumes.get(ctx.session, id, o),
  );
  const check = async (key: string, what: string, fn: () => Promise<[boolean, string]>) => {
    try {
      const [ok, detail] = await fn();
      checks.push({ key, check: what, ok, detail });
    } catch (err) {
      checks.push({ key, check: what, ok: false, detail: errorMessage(err) });
    }
  };
  for (const node of graph.nodes) {
    const entry = ctx.journal.get(node.key);
    const target = entry?.targetId;
    if (!target || !(entry.status === 'created' || entry.status === 'adopted')) continue;
    const doc = ctx.documents.get(node.key) ?? {};
    if (node.kind === 'compute.server') {
      const wanted = doc['status'] === 'SHUTOFF' ? 'SHUTOFF' : 'ACTIVE';
      await check(node.key, `server is ${wanted}`, async () => {
        const s = await serverOf(target);
        return [s.status === wanted, `status ${s.status}`];
      });
      const server = documentOf('compute.server', node, doc);
      for (const sourcePort of server.ports ?? []) {
        const portId = ctx.journal.targetOf(`network.port:${sourcePort}`);
        if (!portId) continue;
        await check(node.key, 'port bound to this server', async () => {
          const p = await portOf(portId);
          return [
            p.device_id === target && p.status === 'ACTIVE',
            `port ${portId}: device ${p.device_id || '(none)'}, status ${p.status}`,
          ];
        });
      }
      for (const v of server.volumes ?? []) {
        const volumeId = ctx.journal.targetOf(`block-storage.volume:${v.volume_id}`);
        if (!volumeId) continue;
        await check(node.key, 'volume attached to this server', async () => {
          const vol = await volumeOf(volumeId);
          const attached = vol.attachments.some((a) => a.server_id === target);
          return [
            attached && vol.status === 'in-use',
            `volume ${volumeId}: ${vol.status}${attached ? '' : ', not attached to it'}`,
          ];
        });
      }
    }
    if (node.kind === 'image.image' && node.dataInfo) {
      await check(node.key, 'image active with the source data', async () => {
        const img = await orUndefined(() => images.get(ctx.session, target, o));
        if (!img) return [false, 'image is gone'];
        checkDestinationHash(img, node, `image ${node.name ?? node.sourceId}`);
        return [
          img.status === 'active' && img.size === node.dataInfo?.size,
          `status ${img.status}, ${img.size ?? 0} bytes, ${img.os_hash_algo ?? 'hash'} ${String(img.os_hash_value ?? '').slice(0, 16)}…`,
        ];
      });
    }
    if (node.kind === 'block-storage.volume') {
      await check(node.key, 'volume usable', async () => {
        const vol = await volumeOf(target);
        return [['available', 'in-use'].includes(vol.status), `status ${vol.status}, ${vol.size} GiB`];
      });
    }
  }
  return checks;
}

async function* noItems<T>(): AsyncGenerator<T> {}
