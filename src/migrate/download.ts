/**
 * One Glance image into the bundle: the data an export captures (an image, a server snapshot, a
 * volume uploaded to an image) ends up as an image in the source, and comes down this way.
 */
import { getHashes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { NoSpaceError, isNoSpace } from '../core/disk.js';
import { Readable, Transform } from 'node:stream';
import { DownpourError, ExitCode, TransportError, errorMessage } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import { blobPath, type ResumePoint } from '../bundle/index.js';
import * as images from '../openstack/image/images/index.js';
import type { Image } from '../openstack/image/images/index.js';
import type { DataInfo } from '../kinds/model.js';
import type { CaptureContext, Captured } from './capture-context.js';

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

/** Whether this Node can compute the source's algorithm; if not, the transfer is checked by size only. */
function canHash(algorithm: string): boolean {
  return getHashes().includes(algorithm);
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
  const checked = sourceHash && canHash(sourceHash.algorithm) ? sourceHash : undefined;
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
    if (point.offset > 0 && res.status === 200) {
      const whole = body;
      body = whole.pipe(skipBytes(point.offset));
      whole.on('error', (err) => body.destroy(err));
    }
  }
  // The source's own hash covers the whole stream; the bundle hashes the bytes committed by an
  // earlier run again from disk, so a resumed download is checked from byte 0 too.
  // Whatever ends the write early (a full disk, a bad hash) also ends the download: an unread
  // response would hold its connection open for good.
  const stream = body;
  const result = await ctx.writer
    .putData(stream, {
      key,
      resume: point,
      expectedSize: size,
      signal: ctx.signal,
      alsoHash: checked ? [checked.algorithm] : [],
      check: (digests) => {
        const actual = checked ? digests[checked.algorithm] : undefined;
        if (checked && actual !== checked.value) {
          throw new DownpourError(
            'E_SOURCE_HASH_MISMATCH',
            ExitCode.unexpected,
            `${label}: the downloaded data does not match the source's ${checked.algorithm} (${checked.value.slice(0, 16)}…, got ${(actual ?? '').slice(0, 16)}…)`,
            { hint: 'The data changed or was damaged in transit; run the export again.' },
          );
        }
      },
      onProgress: (p) => ctx.progress({ type: 'item-bytes', id, doneBytes: p.bytes }),
    })
    .catch(async (err: unknown) => {
      stream.destroy();
      if (isNoSpace(err)) throw await NoSpaceError.of(label, ctx.writer.dir, size - point.offset, err);
      throw err;
    });
  ctx.stats.downloadedBytes += result.manifest.size - point.offset;
  const captured = { data: result.descriptor, dataInfo: { ...base, sha256: result.manifest.sha256 } };
  rememberKnown(ctx.known, captured);
  return captured;
}
