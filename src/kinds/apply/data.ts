import { Transform } from 'node:stream';
import {
  BundleIntegrityError,
  DownpourError,
  ExitCode,
  TlsError,
  TransportError,
  errorMessage,
} from '../../core/errors.js';
import { sleep } from '../../core/sleep.js';
import type { Descriptor } from '../../bundle/index.js';
import {
  AuthenticationError,
  ConflictError,
  HttpError,
  RateLimitedError,
  ServerError,
} from '../../openstack/http/errors.js';
import * as images from '../../openstack/image/images/index.js';
import type { Image } from '../../openstack/image/images/index.js';
import type { GraphNode } from '../model.js';
import { opts, type ApplyContext } from './context.js';

/** Attempts at one upload in one run, when the connection breaks or the cloud answers 5xx/429/401. */
const UPLOAD_ATTEMPTS = 4;

/** Failures after which the same upload, sent again from the bundle, may succeed. */
function transientUploadFailure(err: unknown, attempt: number): boolean {
  return (
    // After a broken attempt, Glance may still be busy with it for a moment.
    (err instanceof ConflictError && attempt > 1) ||
    (err instanceof TransportError && !(err instanceof TlsError)) ||
    err instanceof ServerError ||
    err instanceof RateLimitedError ||
    // The client already re-authenticated once; the next attempt carries the new token.
    err instanceof AuthenticationError
  );
}

/**
 * Stream a node's data from the bundle into a queued Glance image. The reader checks every
 * chunk against its SHA-256 as it goes and holds back each chunk's last bytes until they match,
 * so Glance can only receive the whole Content-Length when every chunk is the bundle's. The
 * HTTP layer never replays a half-sent body; when an upload breaks, Glance puts the image back
 * to queued, and it is sent again from the bundle, a bounded number of times in this run (then
 * the next run uploads it again).
 */
export async function uploadNodeData(
  ctx: ApplyContext,
  node: GraphNode,
  target: Image,
  label: string,
): Promise<Image> {
  if (!node.data || !node.dataInfo) throw new Error(`${node.key} has no data in the bundle`);
  const info = node.dataInfo;
  const imageId = target.id;
  const id = `upload:${node.key}`;
  ctx.progress({ type: 'item-start', id, label, totalBytes: info.size });
  try {
    // The manifest's chunks are what is sent; its whole-stream SHA-256 must be the one the graph recorded.
    const manifest = await ctx.reader.readDataManifest(node.data);
    if (manifest.sha256 !== info.sha256 || manifest.size !== info.size) {
      throw new BundleIntegrityError(
        `${label}: the bundle's data manifest (${manifest.size} bytes, sha256 ${manifest.sha256.slice(0, 16)}…) is not the data its graph describes (${info.size} bytes, ${info.sha256.slice(0, 16)}…)`,
      );
    }
    /** False when no attempt got its answer but Glance had every byte (or had them from a killed run). */
    let sent = false;
    // A run killed during its upload leaves the image saving for a while (Glance still stores
    // what it got, or has not yet noticed the broken connection): queued takes the data again,
    // active has it all already.
    const settled =
      target.status === 'saving'
        ? await images.waitForImageStatus(ctx.session, imageId, ['queued', 'queued-after-saving', 'active'], {
            ...opts(ctx),
            timeoutMs: 300_000,
          })
        : target;
    for (let attempt = 1; settled.status !== 'active'; attempt++) {
      try {
        await sendOnce(ctx, node.data, imageId, info.size, id);
        sent = true;
        break;
      } catch (err) {
        if (err instanceof HttpError && err.status === 415) throw formatRefused(err, target, label);
        if (ctx.signal?.aborted || attempt >= UPLOAD_ATTEMPTS || !transientUploadFailure(err, attempt))
          throw err;
        // A broken upload leaves the image saving for a moment, then queued again.
        const image = await images.waitForImageStatus(
          ctx.session,
          imageId,
          ['queued', 'queued-after-saving', 'active'],
          { ...opts(ctx), timeoutMs: 300_000 },
        );
        // Every byte arrived and only the answer was lost: Glance's own size and hash decide.
        if (image.status === 'active') break;
        const retryAfter = err instanceof RateLimitedError ? (err.retryAfter ?? 0) * 1000 : 0;
        const delay = Math.max(retryAfter, 500 * 2 ** (attempt - 1));
        ctx.logger.debug(
          `retry ${attempt}/${UPLOAD_ATTEMPTS - 1} of the upload of ${label} in ${delay} ms: ${errorMessage(err)}`,
        );
        await sleep(delay, ctx.signal);
      }
    }
    const image = await images.waitForImageStatus(ctx.session, imageId, 'active', {
      ...opts(ctx),
      timeoutMs: 3_600_000,
    });
    if (!sent && image.size !== info.size) {
      throw new DownpourError(
        'E_UPLOAD_SIZE',
        ExitCode.unexpected,
        `${label}: the upload broke and the destination kept ${image.size ?? 0} bytes, not ${info.size}`,
        {
          hint: 'Delete that image at the destination and run the same import again: it creates and uploads it anew.',
        },
      );
    }
    checkDestinationHash(image, node, label);
    ctx.progress({ type: 'item-end', id, outcome: 'done' });
    return image;
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

/**
 * Glance 2025.1 and later inspect what is uploaded and refuse data that is not of the image's
 * `disk_format` (`[image_format] require_image_format_match`), answering 415 "The request media
 * type ... is not supported", which names neither the image nor the reason.
 */
function formatRefused(err: HttpError, target: Image, label: string): DownpourError {
  return new DownpourError(
    'E_IMAGE_FORMAT_REFUSED',
    ExitCode.partial,
    `${label}: the destination refused the data as not being ${target.disk_format ?? 'of its disk format'}: its Glance inspects uploads and requires the data to match the image's disk_format (as Glance does from 2025.1 on); the source image declares ${target.disk_format ?? 'a format'} for data of another format`,
    {
      hint: "Correct the source image's disk_format (or re-upload it in the format it declares) and export again; other clouds may still take the data as it is.",
      cause: err,
    },
  );
}

/** One PUT of the whole data from the bundle, every chunk verified on the way (see `openData`). */
async function sendOnce(
  ctx: ApplyContext,
  data: Descriptor,
  imageId: string,
  size: number,
  id: string,
): Promise<void> {
  const source = await ctx.reader.openData(data, opts(ctx));
  let sent = 0;
  let lastReport = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      if (sent - lastReport >= 4 * 1024 * 1024 || sent === size) {
        lastReport = sent;
        ctx.progress({ type: 'item-bytes', id, doneBytes: sent });
      }
      done(null, chunk);
    },
  });
  source.on('error', (err) => tap.destroy(err));
  try {
    await images.upload(
      ctx.session,
      imageId,
      { open: () => source.pipe(tap), length: size, replayable: false },
      { size, ...opts(ctx) },
    );
  } finally {
    source.destroy();
  }
}

/** The destination's own hash of what it stored must equal the source's hash of what it had. */
export function checkDestinationHash(image: Image, node: GraphNode, label: string): void {
  const source = node.dataInfo?.source_hash;
  if (!source) return;
  const theirs =
    image.os_hash_algo === source.algorithm
      ? image.os_hash_value
      : source.algorithm === 'md5'
        ? image.checksum
        : undefined;
  if (theirs && theirs !== source.value) {
    throw new DownpourError(
      'E_UPLOAD_HASH',
      ExitCode.integrity,
      `${label}: the destination stored data whose ${source.algorithm} is ${theirs.slice(0, 16)}…, the source's was ${source.value.slice(0, 16)}…`,
    );
  }
}

const wholeNumber = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseInt(v, 10) : 0;
  return Number.isFinite(n) && n > 0 ? n : 0;
};

/**
 * Image create body from image properties (known fields, custom string properties, tags): an
 * image's document, or the image metadata Cinder kept for a volume (open objects both, where
 * Cinder spells numbers as strings).
 */
export function imageCreateInput(doc: Record<string, unknown>, extraTags: string[]): images.CreateImageInput {
  const known = new Set([
    'name',
    'disk_format',
    'container_format',
    'min_disk',
    'min_ram',
    'tags',
    'protected',
    'visibility',
    'os_hidden',
  ]);
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) if (!known.has(k) && typeof v === 'string') properties[k] = v;
  return {
    ...(typeof doc['name'] === 'string' ? { name: doc['name'] } : {}),
    disk_format: typeof doc['disk_format'] === 'string' ? doc['disk_format'] : 'raw',
    container_format: typeof doc['container_format'] === 'string' ? doc['container_format'] : 'bare',
    visibility: 'private',
    // Cinder keeps image properties as strings ("0"), Glance wants integers.
    min_disk: wholeNumber(doc['min_disk']),
    min_ram: wholeNumber(doc['min_ram']),
    tags: [
      ...(Array.isArray(doc['tags']) ? doc['tags'].filter((t) => typeof t === 'string') : []),
      ...extraTags,
    ],
    properties,
  };
}
