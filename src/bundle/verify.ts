/**
 * `downpour verify`: every blob reachable from index.json, size then SHA-256. It reports every
 * problem it finds rather than stopping at the first, so one run tells the user how much of a
 * damaged bundle is lost.
 *
 * Reachability is structural, not schema-driven: any object in a JSON document with `mediaType`,
 * `digest` and `size` is a descriptor, and a data manifest references its chunks. So the graph
 * and resource formats can evolve without this file knowing them.
 */
import { createHash } from 'node:crypto';
import { isDownpourError } from '../core/errors.js';
import { isJsonMediaType, MAX_JSON_BLOB_SIZE, MediaType, parseDigest, type Descriptor } from './layout.js';
import type { BundleReader } from './reader.js';
import { isDescriptor, looksLikeDescriptor, parseDataManifest } from './schema.js';

export type VerifyProblemKind = 'missing' | 'size' | 'digest' | 'malformed';

export interface VerifyProblem {
  readonly digest: string;
  /** Where the blob is referenced from, e.g. `root.nodes[3].data.chunks[2]`. */
  readonly path: string;
  readonly problem: VerifyProblemKind;
  readonly expected?: number;
  readonly actual?: number | string;
  readonly message?: string;
}

export interface VerifyReport {
  /** Distinct blobs checked (each digest once, however often it is referenced). */
  readonly blobs: number;
  readonly bytes: number;
  readonly problems: readonly VerifyProblem[];
}

export interface VerifyProgress {
  readonly blobs: number;
  readonly bytes: number;
  readonly problems: number;
}

export interface VerifyOptions {
  readonly onProgress?: ((progress: VerifyProgress) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * False: data chunks are checked by size only (every document and manifest still by SHA-256).
   * For a reader that verifies each chunk as it streams it anyway: the bytes are read once.
   */
  readonly chunkDigests?: boolean | undefined;
}

interface Pending {
  readonly descriptor: Descriptor;
  readonly path: string;
}

const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

/** Descriptors anywhere in a JSON value, with their paths. Iterative: a deep document cannot overflow the stack. */
function findDescriptors(value: unknown, basePath: string, problems: VerifyProblem[]): Pending[] {
  const found: Pending[] = [];
  const stack: [unknown, string][] = [[value, basePath]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (looksLikeDescriptor(node)) {
      if (isDescriptor(node)) found.push({ descriptor: node, path });
      else {
        const digest = typeof node.digest === 'string' ? node.digest.slice(0, 100) : '';
        problems.push({ digest, path, problem: 'malformed', message: 'invalid descriptor' });
      }
      continue;
    }
    const children: [string, unknown][] = Array.isArray(node)
      ? node.map((v, i) => [`${path}[${i}]`, v])
      : Object.entries(node).map(([k, v]) => [path + key(k), v]);
    for (let i = children.length - 1; i >= 0; i--) {
      const [childPath, child] = children[i]!;
      stack.push([child, childPath]);
    }
  }
  return found;
}

/** Hashes a blob; keeps its bytes only when it is a JSON document we must look inside. */
async function hashBlob(
  reader: BundleReader,
  digest: string,
  keep: boolean,
): Promise<{ hex: string; size: number; bytes?: Buffer }> {
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  let size = 0;
  for await (const piece of reader.openRawBlob(digest)) {
    const buf = piece as Buffer;
    hash.update(buf);
    size += buf.length;
    if (keep) parts.push(buf);
  }
  return { hex: hash.digest('hex'), size, ...(keep ? { bytes: Buffer.concat(parts) } : {}) };
}

export async function verifyBundle(reader: BundleReader, options: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const seen = new Set<string>();
  const queue: Pending[] = [{ descriptor: reader.index().root, path: 'root' }];
  let blobs = 0;
  let bytes = 0;

  // A moving head instead of shift(): a bundle may hold hundreds of thousands of chunks.
  for (let head = 0; head < queue.length; head++) {
    options.signal?.throwIfAborted();
    const { descriptor, path } = queue[head]!;
    const { digest, size: expected } = descriptor;
    if (seen.has(digest)) continue;
    seen.add(digest);
    blobs++;

    const actualSize = await reader.blobSize(digest);
    if (actualSize === undefined) {
      problems.push({ digest, path, problem: 'missing' });
    } else if (actualSize !== expected) {
      problems.push({ digest, path, problem: 'size', expected, actual: actualSize });
    } else if (options.chunkDigests === false && descriptor.mediaType === MediaType.chunk) {
      bytes += actualSize;
    } else {
      const isManifest = descriptor.mediaType === MediaType.dataManifest;
      const look = (isManifest || isJsonMediaType(descriptor.mediaType)) && expected <= MAX_JSON_BLOB_SIZE;
      try {
        const { hex, size, bytes: content } = await hashBlob(reader, digest, look);
        bytes += size;
        if (size !== expected) problems.push({ digest, path, problem: 'size', expected, actual: size });
        else if (hex !== parseDigest(digest))
          problems.push({ digest, path, problem: 'digest', actual: `sha256:${hex}` });
        else if (content) queue.push(...inside(content, descriptor, path, isManifest, problems));
      } catch (err) {
        // A blob that vanished or a tar that changed under us: note it and keep going.
        if (!isDownpourError(err)) throw err;
        problems.push({ digest, path, problem: 'missing', message: err.message });
      }
    }
    options.onProgress?.({ blobs, bytes, problems: problems.length });
  }
  return { blobs, bytes, problems };
}

/** The descriptors a verified JSON blob points to: a manifest's chunks, or any descriptor inside a document. */
function inside(
  content: Buffer,
  descriptor: Descriptor,
  path: string,
  isManifest: boolean,
  problems: VerifyProblem[],
): Pending[] {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    problems.push({ digest: descriptor.digest, path, problem: 'malformed', message: 'not valid JSON' });
    return [];
  }
  if (!isManifest) return findDescriptors(value, path, problems);
  try {
    const manifest = parseDataManifest(value, descriptor.digest);
    return manifest.chunks.map((chunk, i) => ({
      descriptor: { mediaType: MediaType.chunk, digest: chunk.digest, size: chunk.size },
      path: `${path}.chunks[${i}]`,
    }));
  } catch (err) {
    const message = isDownpourError(err) ? err.message : String(err);
    problems.push({ digest: descriptor.digest, path, problem: 'malformed', message });
    return [];
  }
}
