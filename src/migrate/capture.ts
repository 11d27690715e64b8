import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { DownpourError, ExitCode, TransportError, errorMessage } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import type { KeyedLock } from '../core/keyed-lock.js';
import type { Logger } from '../core/log.js';
import type { ProgressSink } from '../core/progress.js';
import {
  blobPath,
  ingestKeyDir,
  type BundleWriter,
  type Descriptor,
  type ResumePoint,
} from '../bundle/index.js';
import * as images from '../openstack/image/images/index.js';
import type { Image } from '../openstack/image/images/index.js';
import * as servers from '../openstack/compute/servers/index.js';
import * as volumes from '../openstack/block-storage/volumes/index.js';
import * as snapshots from '../openstack/block-storage/snapshots/index.js';
import { orUndefined } from '../openstack/common.js';
import type { Session } from '../openstack/session/session.js';
import type { DataPlan } from '../kinds/kind.js';
import type { DataInfo } from '../kinds/model.js';
import { inRemovalOrder, removeTemporary, temporaryMarks, type TemporaryJournal } from './temporaries.js';

export interface CaptureContext {
  session: Session;
  writer: BundleWriter;
  journal: TemporaryJournal;
  bundleId: string;
  progress: ProgressSink;
  logger: Logger;
  signal?: AbortSignal;
  /** Data already in the bundle from an earlier export, by source hash: reused, not downloaded again. */
  known: Map<string, { data: Descriptor; dataInfo: DataInfo }>;
  /** Bytes downloaded from the source by this run. */
  stats: { downloadedBytes: number; reusedBytes: number };
  /** Capture mode "stop": stop a server for its snapshot, start it again after. */
  stopForCapture: boolean;
  /**
   * Captures that need a server take turns, by server id: where volumes snapshot through Nova
   * (NFS and the like), Nova refuses an attached volume's snapshot while the server has a task,
   * such as its own snapshot.
   */
  serverTurns: KeyedLock;
}

export interface Captured {
  data: Descriptor;
  dataInfo: DataInfo;
}

/** Attempts at one download in one run, when the connection breaks mid-body. */
const DOWNLOAD_ATTEMPTS = 4;

const knownKey = (algorithm: string, value: string, size: number) => `${algorithm}:${value}:${size}`;

export function rememberKnown(known: CaptureContext['known'], captured: Captured): void {
  const h = captured.dataInfo.source_hash;
  if (h) known.set(knownKey(h.algorithm, h.value, captured.dataInfo.size), captured);
}

/** The algorithm and value Glance vouches for: the multihash when there is one, else MD5. */
function sourceHashOf(image: Image): { algorithm: string; value: string } | undefined {
  if (image.os_hash_algo && image.os_hash_value)
    return { algorithm: image.os_hash_algo, value: image.os_hash_value };
  if (image.checksum) return { algorithm: 'md5', value: image.checksum };
  return undefined;
}

function hasherFor(algorithm: string | undefined): Hash | undefined {
  if (!algorithm) return undefined;
  try {
    return createHash(algorithm);
  } catch {
    return undefined;
  }
}

/** Feed the bytes committed by an earlier run to the source-hash check, from the bundle's own blobs. */
async function feedCommitted(hasher: Hash, writer: BundleWriter, point: ResumePoint): Promise<void> {
  for (const chunk of point.chunks) {
    for await (const data of createReadStream(blobPath(writer.dir, chunk.digest)) as AsyncIterable<Buffer>)
      hasher.update(data);
  }
}

/** Drops the first `n` bytes (a server that ignored our Range header sent everything). */
function skipBytes(n: number): Transform {
  let left = n;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (left >= chunk.length) {
        left -= chunk.length;
        return done();
      }
      const rest = left > 0 ? chunk.subarray(left) : chunk;
      left = 0;
      done(null, rest);
    },
  });
}

/**
 * Stream one Glance image into the bundle: resumed at the last committed chunk, hashed with
 * the source's own algorithm on the way and refused when it does not match.
 */
export async function downloadImage(
  ctx: CaptureContext,
  imageId: string,
  key: string,
  label: string,
  capturedFrom: DataInfo['captured_from'],
): Promise<Captured> {
  const opts = ctx.signal ? { signal: ctx.signal } : {};
  const image = await images.get(ctx.session, imageId, opts);
  if (image.status !== 'active') {
    throw new DownpourError(
      'E_SOURCE_IMAGE',
      ExitCode.unexpected,
      `image ${image.name ?? imageId} is ${image.status}, not active`,
    );
  }
  const size = image.size ?? 0;
  const sourceHash = sourceHashOf(image);
  const base = {
    size,
    disk_format: image.disk_format ?? 'raw',
    container_format: image.container_format ?? 'bare',
    captured_from: capturedFrom,
    ...(sourceHash ? { source_hash: sourceHash } : {}),
  };
  const reuse = sourceHash
    ? ctx.known.get(knownKey(sourceHash.algorithm, sourceHash.value, size))
    : undefined;
  if (reuse && (await ctx.writer.has(reuse.data.digest))) {
    ctx.stats.reusedBytes += size;
    ctx.progress({
      type: 'message',
      level: 'info',
      message: `${label}: unchanged since the last export (same ${sourceHash?.algorithm}), not downloaded again`,
    });
    return { data: reuse.data, dataInfo: { ...reuse.dataInfo, ...base, sha256: reuse.dataInfo.sha256 } };
  }

  let point = await ctx.writer.dataResumePoint(key);
  if (point.complete) {
    const manifest = JSON.parse(await readFile(blobPath(ctx.writer.dir, point.complete.digest), 'utf8')) as {
      sha256: string;
    };
    return { data: point.complete, dataInfo: { ...base, sha256: manifest.sha256 } };
  }
  const id = `data:${key}`;
  ctx.progress({ type: 'item-start', id, label, totalBytes: size });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const captured = await streamImage(ctx, imageId, key, label, point, base, sourceHash, id);
        ctx.progress({ type: 'item-end', id, outcome: 'done' });
        return captured;
      } catch (err) {
        // A connection that broke mid-body is resumed in this run, from the last committed chunk (Range).
        if (!(err instanceof TransportError) || ctx.signal?.aborted || attempt >= DOWNLOAD_ATTEMPTS)
          throw err;
        await sleep(500 * 2 ** (attempt - 1), ctx.signal);
        point = await ctx.writer.dataResumePoint(key);
        ctx.logger.debug(
          `retry ${attempt}/${DOWNLOAD_ATTEMPTS - 1} of the download of ${label} from byte ${point.offset}: ${errorMessage(err)}`,
        );
      }
    }
  } catch (err) {
    ctx.progress({
      type: 'item-end',
      id,
      outcome: 'failed',
      message: err instanceof Error ? err.message : String(err),
    });
    throw err;
  }
}

/** One attempt: the image's bytes from `point.offset` on, into the bundle, checked against the source hash. */
async function streamImage(
  ctx: CaptureContext,
  imageId: string,
  key: string,
  label: string,
  point: ResumePoint,
  base: Omit<DataInfo, 'sha256'>,
  sourceHash: { algorithm: string; value: string } | undefined,
  id: string,
): Promise<Captured> {
  const opts = ctx.signal ? { signal: ctx.signal } : {};
  const size = base.size;
  const hasher = hasherFor(sourceHash?.algorithm);
  if (hasher && point.offset > 0) await feedCommitted(hasher, ctx.writer, point);
  ctx.progress({ type: 'item-bytes', id, doneBytes: point.offset });
  let body: Readable;
  if (size === 0 || point.offset >= size) {
    body = Readable.from([]);
  } else {
    const res = await images.download(ctx.session, imageId, {
      ...opts,
      ...(point.offset > 0 ? { range: { start: point.offset } } : {}),
    });
    body = res.status === 204 ? (res.data.resume(), Readable.from([])) : res.data;
    if (point.offset > 0 && res.status === 200) body = body.pipe(skipBytes(point.offset));
  }
  let downloaded = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hasher?.update(chunk);
      downloaded += chunk.length;
      done(null, chunk);
    },
  });
  body.on('error', (err) => tap.destroy(err));
  const result = await ctx.writer.putData(body.pipe(tap), {
    key,
    resume: point,
    expectedSize: size,
    signal: ctx.signal,
    onProgress: (p) => ctx.progress({ type: 'item-bytes', id, doneBytes: p.bytes }),
  });
  ctx.stats.downloadedBytes += downloaded;
  if (hasher && sourceHash) {
    const actual = hasher.digest('hex');
    if (actual !== sourceHash.value) {
      // Forget what was stored under this key so that the next run downloads it afresh.
      await rm(ingestKeyDir(ctx.writer.dir, key), { recursive: true, force: true });
      throw new DownpourError(
        'E_SOURCE_HASH_MISMATCH',
        ExitCode.unexpected,
        `${label}: the downloaded data does not match the source's ${sourceHash.algorithm} (${sourceHash.value.slice(0, 16)}…, got ${actual.slice(0, 16)}…)`,
        { hint: 'The data changed or was damaged in transit; run the export again.' },
      );
    }
  }
  const captured = { data: result.descriptor, dataInfo: { ...base, sha256: result.manifest.sha256 } };
  rememberKnown(ctx.known, captured);
  return captured;
}

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
async function captureVolume(ctx: CaptureContext, volumeId: string, label: string): Promise<Captured> {
  const opts = ctx.signal ? { signal: ctx.signal } : {};
  const marks = temporaryMarks(ctx.bundleId);
  const purpose = `volume-${volumeId}`;
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
    }
    return undefined;
  };
  let imageId = await alive('image', ['active', 'queued', 'saving']);
  if (!imageId) {
    const volume = await volumes.get(ctx.session, volumeId, opts);
    let uploadFrom = volumeId;
    if (volume.status !== 'available') {
      // The snapshot is taken in the turn of the servers the volume is attached to, once none has a task left.
      const attachedTo = volume.attachments.map((a) => a.server_id);
      const snapshotId = await ctx.serverTurns.run(attachedTo, async () => {
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
            size: volume.size,
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
    const result = await volumes.uploadToImage(
      ctx.session,
      uploadFrom,
      { image_name: marks.name(purpose), disk_format: 'qcow2', visibility: 'private' },
      opts,
    );
    imageId = result.image_id;
    await ctx.journal.add({ type: 'image', id: imageId, purpose });
    await images.addTag(ctx.session, imageId, `downpour:bundle=${ctx.bundleId}`, opts).catch(() => undefined);
  }
  await images.waitForImageStatus(ctx.session, imageId, 'active', { ...opts, timeoutMs: 3_600_000 });
  return finishCapture(ctx, purpose, imageId, `volume-${volumeId}-${imageId}`, label, 'volume');
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
      return captureVolume(ctx, plan.volumeId, label);
    case 'server-snapshot':
      return captureServer(ctx, plan.serverId, ctx.stopForCapture, label);
  }
}
