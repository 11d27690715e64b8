import { errorMessage } from '../core/errors.js';
import * as images from '../openstack/image/images/index.js';
import * as servers from '../openstack/compute/servers/index.js';
import * as volumes from '../openstack/block-storage/volumes/index.js';
import * as snapshots from '../openstack/block-storage/snapshots/index.js';
import { orUndefined } from '../openstack/common.js';
import { BadRequestError } from '../openstack/http/errors.js';
import type { DataPlan } from '../kinds/kind.js';
import type { DataInfo } from '../kinds/model.js';
import type { CaptureContext, Captured } from './capture-context.js';
import { downloadImage } from './download.js';
import { inRemovalOrder, removeTemporary, temporaryMarks } from './temporaries.js';

export type { CaptureContext, Captured } from './capture-context.js';

/**
 * Data that an earlier, killed run of this export captured in full: taken from the ingest area
 * (chunks checked again), so that a kill after a capture never makes it again.
 */
async function finishedEarlier(
  ctx: CaptureContext,
  purpose: string,
  label: string,
): Promise<Captured | undefined> {
  const finished = ctx.journal.capturedFor(purpose);
  if (!finished) return undefined;
  const point = await ctx.writer.dataResumePoint(finished.key);
  if (!point.complete) return undefined;
  ctx.stats.reusedBytes += finished.dataInfo.size;
  ctx.progress({
    type: 'message',
    level: 'info',
    message: `${label}: captured by an earlier run, not again`,
  });
  return { data: point.complete, dataInfo: finished.dataInfo };
}

/** Download what a capture made, remember that it finished, then drop its temporaries. */
async function finishCapture(
  ctx: CaptureContext,
  purpose: string,
  imageId: string,
  key: string,
  label: string,
  capturedFrom: DataInfo['captured_from'],
): Promise<Captured> {
  const captured = await downloadImage(ctx, imageId, key, label, capturedFrom);
  await ctx.journal.markCaptured(purpose, { key, dataInfo: captured.dataInfo });
  await dropTemporaries(ctx, purpose);
  return captured;
}

/** A live snapshot of an image-booted server's disk (createImage), optionally with the server stopped. */
async function captureServer(
  ctx: CaptureContext,
  serverId: string,
  stop: boolean,
  label: string,
): Promise<Captured> {
  const opts = ctx.signal ? { signal: ctx.signal } : {};
  const marks = temporaryMarks(ctx.bundleId);
  const purpose = `server-${serverId}`;
  const earlier = await finishedEarlier(ctx, purpose, label);
  if (earlier) {
    await dropTemporaries(ctx, purpose);
    return earlier;
  }
  let imageId: string | undefined;
  for (const t of ctx.journal.forPurpose(purpose)) {
    const img = t.type === 'image' ? await orUndefined(() => images.get(ctx.session, t.id, opts)) : undefined;
    if (img && ['active', 'queued', 'saving'].includes(img.status)) imageId = t.id;
  }
  const snapshotId = await ctx.serverTurns.run([serverId], async () => {
    let id = imageId;
    if (!id) {
      // A killed run may have left Nova busy with its snapshot, and Nova refuses another until that task ends.
      const server = await servers.waitForServerStatus(
        ctx.session,
        serverId,
        servers.SERVER_STATUS.success,
        opts,
      );
      if (stop && server.status === 'ACTIVE') {
        await ctx.journal.markStopped(serverId, true);
        ctx.progress({
          type: 'message',
          level: 'info',
          message: `stopping server ${server.name} for a consistent capture`,
        });
        await servers.stop(ctx.session, serverId, opts);
        await servers.waitForServerStatus(ctx.session, serverId, 'SHUTOFF', opts);
      }
      ctx.progress({ type: 'message', level: 'info', message: `snapshotting ${label}` });
      id = await servers.createImage(
        ctx.session,
        serverId,
        { name: marks.name(purpose), metadata: marks.metadata },
        opts,
      );
      await ctx.journal.add({ type: 'image', id, purpose });
    }
    await images.waitForImageStatus(ctx.session, id, 'active', { ...opts, timeoutMs: 3_600_000 });
    // The image turns active before Nova clears the server's image_uploading task: the server's
    // turn ends when the task has (and Nova refuses a start until then).
    if (ctx.journal.stoppedServers.includes(serverId)) {
      await servers.waitForServerStatus(ctx.session, serverId, 'SHUTOFF', opts);
      await servers.start(ctx.session, serverId, opts);
      await servers.waitForServerStatus(ctx.session, serverId, 'ACTIVE', opts);
      await ctx.journal.markStopped(serverId, false);
    } else {
      await servers.waitForServerStatus(ctx.session, serverId, servers.SERVER_STATUS.success, opts);
    }
    return id;
  });
  return finishCapture(
    ctx,
    purpose,
    snapshotId,
    `capture-${serverId}-${snapshotId}`,
    label,
    'server-snapshot',
  );
}

/**
 * A volume's data through Glance: upload-to-image when it is detached; when attached, a
 * snapshot and a temporary volume from it first, so the workload keeps running.
 */
async function captureVolume(
  ctx: CaptureContext,
  source: { volumeId: string } | { snapshotId: string },
  label: string,
): Promise<Captured> {
  const opts = ctx.signal ? { signal: ctx.signal } : {};
  const userSnapshot =
    'snapshotId' in source ? await snapshots.get(ctx.session, source.snapshotId, opts) : undefined;
  const volumeId = 'volumeId' in source ? source.volumeId : userSnapshot!.volume_id;
  // A volume and its snapshots are captured one after another: the NFS backend refused a second
  // volume from one chain while the first was being made ("no weighted backend").
  return ctx.serverTurns.run([`volume:${volumeId}`], () =>
    captureVolumeTurn(ctx, volumeId, userSnapshot, label),
  );
}

async function captureVolumeTurn(
  ctx: CaptureContext,
  volumeId: string,
  userSnapshot: snapshots.Snapshot | undefined,
  label: string,
): Promise<Captured> {
  const opts = ctx.signal ? { signal: ctx.signal } : {};
  const marks = temporaryMarks(ctx.bundleId);
  const purpose = userSnapshot ? `snapshot-${userSnapshot.id}` : `volume-${volumeId}`;
  const earlier = await finishedEarlier(ctx, purpose, label);
  if (earlier) {
    await dropTemporaries(ctx, purpose);
    return earlier;
  }
  const mine = ctx.journal.forPurpose(purpose);
  const alive = async (type: string, ok: string[]) => {
    for (const t of mine.filter((x) => x.type === type)) {
      const status =
        type === 'image'
          ? (await orUndefined(() => images.get(ctx.session, t.id, opts)))?.status
          : type === 'volume'
            ? (await orUndefined(() => volumes.get(ctx.session, t.id, opts)))?.status
            : (await orUndefined(() => snapshots.get(ctx.session, t.id, opts)))?.status;
      if (status && ok.includes(status)) return t.id;
      // One that failed (a Cinder error, a killed image) is no use to this run or the next: it
      // goes now, rather than one more being left behind by every rerun.
      if (status && FAILED_TEMPORARY.has(status)) {
        ctx.progress({
          type: 'message',
          level: 'info',
          message: `removing a failed temporary ${type} ${t.id}`,
        });
        const removed = await removeTemporary(ctx.session, t, ctx.signal).then(
          () => true,
          (err: unknown) => {
            ctx.logger.debug(`failed temporary ${type} ${t.id} not removed yet: ${errorMessage(err)}`);
            return false;
          },
        );
        if (removed) await ctx.journal.drop(t.id);
      }
    }
    return undefined;
  };
  let imageId = await alive('image', ['active', 'queued', 'saving']);
  if (!imageId) {
    const volume = await volumes.get(ctx.session, volumeId, opts);
    let uploadFrom = volumeId;
    // A volume with snapshots of its own goes through a temporary copy as an attached one does:
    // on file backends (NFS) Cinder cannot upload a volume whose data sits on snapshot overlays.
    let hasSnapshots = false;
    if (!userSnapshot && volume.status === 'available')
      for await (const snap of snapshots.list(ctx.session, { volume_id: volumeId }, opts)) {
        hasSnapshots = hasSnapshots || snap.volume_id === volumeId;
        if (hasSnapshots) break;
      }
    if (userSnapshot || volume.status !== 'available' || hasSnapshots) {
      // The snapshot is taken in the turn of the servers the volume is attached to, once none has a task left.
      const attachedTo = volume.attachments.map((a) => a.server_id);
      const snapshotId = userSnapshot
        ? userSnapshot.id
        : await ctx.serverTurns.run(attachedTo, async () => {
            let id = await alive('snapshot', ['available', 'creating']);
            if (!id) {
              for (const server of attachedTo)
                await servers.waitForServerStatus(ctx.session, server, servers.SERVER_STATUS.success, opts);
              const force = !(await ctx.session.supports('block-storage', '3.66'));
              const snap = await snapshots.create(
                ctx.session,
                {
                  volume_id: volumeId,
                  name: marks.name(purpose),
                  metadata: marks.metadata,
                  ...(force ? { force: true } : {}),
                },
                opts,
              );
              id = snap.id;
              await ctx.journal.add({ type: 'snapshot', id, purpose });
            }
            await snapshots.waitForSnapshotStatus(ctx.session, id, 'available', opts);
            return id;
          });
      let tempVolume = await alive('volume', ['available', 'creating', 'uploading']);
      if (!tempVolume) {
        const created = await volumes.create(
          ctx.session,
          {
            size: userSnapshot?.size ?? volume.size,
            snapshot_id: snapshotId,
            name: marks.name(purpose),
            metadata: marks.metadata,
            ...(volume.volume_type ? { volume_type: volume.volume_type } : {}),
            ...(volume.availability_zone ? { availability_zone: volume.availability_zone } : {}),
          },
          opts,
        );
        tempVolume = created.id;
        await ctx.journal.add({ type: 'volume', id: created.id, purpose });
      }
      await volumes.waitForVolumeStatus(ctx.session, tempVolume, 'available', {
        ...opts,
        timeoutMs: 3_600_000,
      });
      uploadFrom = tempVolume;
    }
    ctx.progress({ type: 'message', level: 'info', message: `uploading ${label} to a temporary image` });
    // qcow2 leaves empty blocks out, so a mostly empty volume is carried small.
    const upload = (from: string) =>
      volumes.uploadToImage(
        ctx.session,
        from,
        { image_name: marks.name(purpose), disk_format: 'qcow2', visibility: 'private' },
        opts,
      );
    let result;
    try {
      result = await upload(uploadFrom);
    } catch (err) {
      if (!isEmptyPropertiesBug(err)) throw err;
      // Cinder 2024.1 and later refuse to upload a volume made from an image with no properties of
      // its own (it sends Glance an empty `properties`, which Glance's schema rejects). A volume
      // of ours is given one image metadata key, which the image then carries; the user's own
      // volume is left as it is and a temporary clone of it is uploaded instead.
      ctx.progress({
        type: 'message',
        level: 'info',
        message: `${label}: this Cinder cannot upload it as it is; uploading a marked temporary copy`,
      });
      if (uploadFrom === volumeId) {
        let clone = await alive('volume', ['available', 'creating']);
        if (!clone) {
          const created = await volumes.create(
            ctx.session,
            {
              size: volume.size,
              source_volid: volumeId,
              name: marks.name(purpose),
              metadata: marks.metadata,
              ...(volume.volume_type ? { volume_type: volume.volume_type } : {}),
              ...(volume.availability_zone ? { availability_zone: volume.availability_zone } : {}),
            },
            opts,
          );
          clone = created.id;
          await ctx.journal.add({ type: 'volume', id: clone, purpose });
        }
        await volumes.waitForVolumeStatus(ctx.session, clone, 'available', { ...opts, timeoutMs: 3_600_000 });
        uploadFrom = clone;
      }
      await volumes.setImageMetadata(ctx.session, uploadFrom, { downpour_capture: ctx.bundleId }, opts);
      result = await upload(uploadFrom);
    }
    imageId = result.image_id;
    await ctx.journal.add({ type: 'image', id: imageId, purpose });
    await images.addTag(ctx.session, imageId, `downpour:bundle=${ctx.bundleId}`, opts).catch(() => undefined);
  }
  await images.waitForImageStatus(ctx.session, imageId, 'active', { ...opts, timeoutMs: 3_600_000 });
  return finishCapture(ctx, purpose, imageId, `volume-${volumeId}-${imageId}`, label, 'volume');
}

/** Statuses in which a temporary of an earlier attempt is of no use. */
const FAILED_TEMPORARY = new Set(['error', 'killed']);

/** Cinder's 400 for an upload whose image would have empty `properties` (see its use). */
function isEmptyPropertiesBug(err: unknown): boolean {
  return err instanceof BadRequestError && /Unable to set 'properties' to \{\}/.test(err.message);
}

async function dropTemporaries(ctx: CaptureContext, purpose: string): Promise<void> {
  for (const t of inRemovalOrder(ctx.journal.forPurpose(purpose))) {
    await removeTemporary(ctx.session, t, ctx.signal);
    await ctx.journal.drop(t.id);
  }
}

export function captureData(ctx: CaptureContext, plan: DataPlan, label: string): Promise<Captured> {
  switch (plan.from) {
    case 'image':
      return downloadImage(ctx, plan.imageId, `image-${plan.imageId}`, label, 'image');
    case 'volume':
      return captureVolume(ctx, { volumeId: plan.volumeId }, label);
    case 'snapshot':
      return captureVolume(ctx, { snapshotId: plan.snapshotId }, label);
    case 'server-snapshot':
      return captureServer(ctx, plan.serverId, ctx.stopForCapture, label);
    case 'container':
      // Objects are pages of the container's own document, not one stream: see captureObjects.
      throw new Error(`container ${plan.container}: captured by captureObjects, not as one stream`);
  }
}
