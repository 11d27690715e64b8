import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { DownpourError, ExitCode } from '../../core/errors.js';
import * as images from '../../openstack/image/images/index.js';
import type { Image } from '../../openstack/image/images/index.js';
import type { GraphNode } from '../model.js';
import { opts, type ApplyContext } from './context.js';

/**
 * Stream a node's data from the bundle into a queued Glance image. The reader checks every
 * chunk against its SHA-256 as it goes; the upload is one-shot (never replayed half-sent), so a
 * failure leaves the image queued for the next run to upload again.
 */
export async function uploadNodeData(
  ctx: ApplyContext,
  node: GraphNode,
  imageId: string,
  label: string,
): Promise<Image> {
  if (!node.data || !node.dataInfo) throw new Error(`${node.key} has no data in the bundle`);
  const info = node.dataInfo;
  const id = `upload:${node.key}`;
  ctx.progress({ type: 'item-start', id, label, totalBytes: info.size });
  try {
    const source = await ctx.reader.openData(node.data, opts(ctx));
    const sha256 = createHash('sha256');
    let sent = 0;
    let lastReport = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sha256.update(chunk);
        sent += chunk.length;
        if (sent - lastReport >= 4 * 1024 * 1024 || sent === info.size) {
          lastReport = sent;
          ctx.progress({ type: 'item-bytes', id, doneBytes: sent });
        }
        done(null, chunk);
      },
    });
    source.on('error', (err) => tap.destroy(err));
    await images.upload(
      ctx.session,
      imageId,
      { open: () => source.pipe(tap), length: info.size, replayable: false },
      { size: info.size, ...opts(ctx) },
    );
    const image = await images.waitForImageStatus(ctx.session, imageId, 'active', {
      ...opts(ctx),
      timeoutMs: 3_600_000,
    });
    const digest = sha256.digest('hex');
    if (digest !== info.sha256) {
      throw new DownpourError(
        'E_UPLOAD_HASH',
        ExitCode.integrity,
        `${label}: the bytes sent hash to ${digest.slice(0, 16)}…, the bundle says ${info.sha256.slice(0, 16)}…`,
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

/** Image create body from a bundle document: known fields, custom string properties, tags. */
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
    disk_format: (doc['disk_format'] as string | undefined) ?? 'raw',
    container_format: (doc['container_format'] as string | undefined) ?? 'bare',
    visibility: 'private',
    // Cinder keeps image properties as strings ("0"), Glance wants integers.
    min_disk: wholeNumber(doc['min_disk']),
    min_ram: wholeNumber(doc['min_ram']),
    tags: [...((doc['tags'] as string[] | undefined) ?? []), ...extraTags],
    properties,
  };
}
