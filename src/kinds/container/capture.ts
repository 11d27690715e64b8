/**
 * A container's objects into the bundle. Small objects are packed many to a blob (one file and
 * one fsync per pack, not per object), each still found by offset and checked by its own
 * SHA-256; large ones stream into chunks of their own. Every object is checked against Swift's
 * ETag as it arrives. Pages of 10 000 entries keep memory flat in the number of objects.
 *
 * Resumable per object: each finished pack's entries are appended to a progress file in the
 * bundle's ingest area, and an entry of an earlier run (killed, or an earlier complete export
 * into the same bundle) is reused when the listing shows the object unchanged.
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DownpourError, ExitCode } from '../../core/errors.js';
import type { ProgressSink } from '../../core/progress.js';
import {
  blobPath,
  INGEST_DIR,
  ingestKeyName,
  MediaType,
  type BundleWriter,
  type Descriptor,
} from '../../bundle/index.js';
import { HttpError } from '../../openstack/http/errors.js';
import * as swift from '../../openstack/object-store/index.js';
import type { ObjectListing } from '../../openstack/object-store/index.js';
import type { Session } from '../../openstack/session/session.js';
import type { ExportNote, GraphDocument } from '../model.js';
import { isDeleteMarker, objectHeaders, unquote } from './headers.js';
import type { ContainerDocument, ObjectEntry, ObjectPage } from './document.js';

/** Objects up to this size are packed; larger ones get chunks of their own. */
export const PACK_OBJECT_MAX = 4 * 1024 * 1024;
/** A pack is stored once it holds this much. */
const PACK_TARGET = 32 * 1024 * 1024;
/** Objects fetched at once per container. */
const OBJECT_CONCURRENCY = 16;

export interface ObjectCaptureContext {
  session: Session;
  writer: BundleWriter;
  progress: ProgressSink;
  note(note: ExportNote): void;
  signal?: AbortSignal;
  stats: { downloadedBytes: number; reusedBytes: number };
}

export interface CapturedObjects {
  pages: Descriptor[];
  count: number;
  bytes: number;
  reused: number;
}

const entryKey = (name: string, versionId: string | undefined) => `${name}\u0000${versionId ?? ''}`;

/** Entries of the last committed export of this container into the same bundle. */
async function committedEntries(writer: BundleWriter, name: string): Promise<ObjectEntry[]> {
  const root = writer.committed?.root;
  if (!root) return [];
  try {
    const graph = JSON.parse(await readFile(blobPath(writer.dir, root.digest), 'utf8')) as GraphDocument;
    const node = graph.nodes.find((n) => n.kind === 'object-store.container' && n.sourceId === name);
    if (!node) return [];
    const resource = JSON.parse(await readFile(blobPath(writer.dir, node.document.digest), 'utf8')) as {
      document: ContainerDocument;
    };
    const out: ObjectEntry[] = [];
    for (const page of resource.document.objects ?? []) {
      const parsed = JSON.parse(await readFile(blobPath(writer.dir, page.digest), 'utf8')) as ObjectPage;
      out.push(...parsed.objects);
    }
    return out;
  } catch {
    // An unreadable earlier export only costs a fresh download.
    return [];
  }
}

/** Entries a killed run of this export finished, from its progress file. */
async function progressEntries(path: string): Promise<ObjectEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const out: ObjectEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as ObjectEntry);
    } catch {
      // The last line of a killed run may be torn: that object is fetched again.
    }
  }
  return out;
}

/** The listing hash Swift shows for an entry: a static large object's own ETag, else the content MD5. */
function listedEtag(item: ObjectListing): string {
  return unquote(item.slo_etag ?? item.hash);
}

class ProgressFile {
  readonly path: string;
  #lines: string[] = [];
  constructor(path: string) {
    this.path = path;
  }
  add(entry: ObjectEntry): void {
    this.#lines.push(JSON.stringify(entry));
  }
  /** Appends what was added since the last flush, durably. */
  async flush(): Promise<void> {
    if (this.#lines.length === 0) return;
    const text = `${this.#lines.join('\n')}\n`;
    this.#lines = [];
    const fh = await open(this.path, 'a');
    try {
      await fh.write(text);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }
}

/** Collects small objects' bytes; each stored pack gives its members their place. */
class Packer {
  #parts: Buffer[] = [];
  #size = 0;
  #members: { entry: ObjectEntry; offset: number; length: number }[] = [];
  readonly #writer: BundleWriter;
  readonly #progress: ProgressFile;
  constructor(writer: BundleWriter, progress: ProgressFile) {
    this.#writer = writer;
    this.#progress = progress;
  }
  async add(entry: ObjectEntry, bytes: Buffer): Promise<void> {
    this.#members.push({ entry, offset: this.#size, length: bytes.length });
    this.#parts.push(bytes);
    this.#size += bytes.length;
    if (this.#size >= PACK_TARGET) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.#members.length === 0) return;
    const parts = this.#parts;
    const members = this.#members;
    this.#parts = [];
    this.#members = [];
    this.#size = 0;
    const pack = await this.#writer.putBlob(MediaType.pack, Buffer.concat(parts));
    for (const m of members) {
      m.entry.at = { pack, offset: m.offset, length: m.length };
      this.#progress.add(m.entry);
    }
    await this.#progress.flush();
  }
}

async function readAll(stream: AsyncIterable<Uint8Array>, limit: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const piece of stream) {
    size += piece.length;
    if (size > limit)
      throw new DownpourError('E_OBJECT_CHANGED', ExitCode.partial, `${what} grew while it was read`);
    parts.push(Buffer.from(piece));
  }
  return Buffer.concat(parts);
}

function changed(what: string, detail: string): DownpourError {
  return new DownpourError(
    'E_OBJECT_CHANGED',
    ExitCode.partial,
    `${what} changed while it was read (${detail})`,
    {
      hint: 'Run the same export again: objects that did not change are not fetched again.',
    },
  );
}

/** The entry of one listed object, with its bytes in the bundle. */
async function fetchObject(
  ctx: ObjectCaptureContext,
  container: string,
  item: ObjectListing,
  packer: Packer,
  progress: ProgressFile,
): Promise<ObjectEntry> {
  const what = `object ${container}/${item.name}${item.version_id ? ` (version ${item.version_id})` : ''}`;
  const base = {
    name: item.name,
    size: item.bytes,
    etag: listedEtag(item),
    modified: item.last_modified,
    ...(item.version_id ? { version_id: item.version_id } : {}),
  };
  if (item.version_id && isDeleteMarker(item.content_type)) {
    const entry: ObjectEntry = { ...base, type: 'delete-marker', headers: {} };
    progress.add(entry);
    return entry;
  }
  const res = await swift.getObject(ctx.session, container, item.name, {
    query: {
      'multipart-manifest': 'get',
      format: 'raw',
      symlink: 'get',
      ...(item.version_id ? { 'version-id': item.version_id } : {}),
    },
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const headers = swift.headersOf(res.headers);
  const kept = objectHeaders(headers);
  if (/^true$/i.test(headers['x-static-large-object'] ?? '')) {
    const body = await readAll(res.data, 64 * 1024 * 1024, what);
    let segments: unknown;
    try {
      segments = JSON.parse(body.toString('utf8'));
    } catch {
      throw changed(what, 'its manifest is not JSON');
    }
    if (!Array.isArray(segments)) throw changed(what, 'its manifest is not a list');
    const entry: ObjectEntry = {
      ...base,
      type: 'slo',
      headers: kept,
      segments: segments as NonNullable<ObjectEntry['segments']>,
    };
    progress.add(entry);
    return entry;
  }
  if (headers['x-object-manifest'] !== undefined || headers['x-symlink-target'] !== undefined) {
    res.data.resume();
    const entry: ObjectEntry =
      headers['x-object-manifest'] !== undefined
        ? { ...base, type: 'dlo', headers: kept, manifest: headers['x-object-manifest'] }
        : { ...base, type: 'symlink', headers: kept, target: headers['x-symlink-target'] };
    if (headers['x-symlink-target-account'] !== undefined)
      ctx.note({
        severity: 'warning',
        code: 'SYMLINK_OTHER_ACCOUNT',
        key: `object-store.container:${container}`,
        message: `${what} is a symlink into another account (${headers['x-symlink-target-account']}): it moves as a symlink into the destination's own account`,
      });
    progress.add(entry);
    return entry;
  }
  const etag = unquote(headers['etag']);
  const size = Number(headers['content-length'] ?? item.bytes);
  if (size <= PACK_OBJECT_MAX) {
    const bytes = await readAll(res.data, PACK_OBJECT_MAX, what);
    const md5 = createHash('md5').update(bytes).digest('hex');
    if (md5 !== etag) throw changed(what, `its bytes have MD5 ${md5}, Swift's ETag says ${etag}`);
    ctx.stats.downloadedBytes += bytes.length;
    const entry: ObjectEntry = {
      ...base,
      size: bytes.length,
      etag,
      type: 'object',
      headers: kept,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    await packer.add(entry, bytes);
    return entry;
  }
  const key = `object:${container}/${item.name}/${item.version_id ?? ''}/${etag}`;
  const result = await ctx.writer.putData(res.data, {
    key,
    expectedSize: size,
    alsoHash: ['md5'],
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const md5 = result.digests['md5'];
  if (md5 !== undefined && md5 !== etag)
    throw changed(what, `its bytes have MD5 ${md5}, Swift's ETag says ${etag}`);
  ctx.stats.downloadedBytes += size;
  const entry: ObjectEntry = {
    ...base,
    size,
    etag,
    type: 'object',
    headers: kept,
    sha256: result.digests.sha256,
    at: { data: result.descriptor },
  };
  progress.add(entry);
  return entry;
}

/** An earlier entry can stand for the listed object: unchanged, with its bytes still in the bundle. */
async function reusable(
  writer: BundleWriter,
  earlier: ObjectEntry | undefined,
  item: ObjectListing,
): Promise<ObjectEntry | undefined> {
  if (!earlier || earlier.modified !== item.last_modified || earlier.etag !== listedEtag(item))
    return undefined;
  if (earlier.type === 'object' && earlier.size !== item.bytes) return undefined;
  const at = earlier.at;
  if (at && !(await writer.has('pack' in at ? at.pack.digest : at.data.digest))) return undefined;
  if (earlier.type === 'object' && !at) return undefined;
  return earlier;
}

/**
 * Every object of a container (every version, with object versioning) into the bundle, as
 * pages. Throws after the whole container was tried when some objects could not be read; what
 * was stored stays for the rerun.
 */
export async function captureObjects(
  ctx: ObjectCaptureContext,
  doc: ContainerDocument,
  label: string,
): Promise<CapturedObjects> {
  const progressPath = join(ctx.writer.dir, INGEST_DIR, `objects-${ingestKeyName(doc.name)}.jsonl`);
  const earlier = new Map<string, ObjectEntry>();
  for (const e of await committedEntries(ctx.writer, doc.name))
    earlier.set(entryKey(e.name, e.version_id ?? undefined), e);
  for (const e of await progressEntries(progressPath))
    earlier.set(entryKey(e.name, e.version_id ?? undefined), e);

  const progressFile = new ProgressFile(progressPath);
  const packer = new Packer(ctx.writer, progressFile);
  const pages: Descriptor[] = [];
  const failures: string[] = [];
  let count = 0;
  let bytes = 0;
  let reused = 0;
  const id = `objects:${doc.name}`;
  ctx.progress({ type: 'item-start', id, label, totalBytes: doc.bytes });

  let batch: ObjectListing[] = [];
  const flushPage = async () => {
    const entries: (ObjectEntry | undefined)[] = Array.from({ length: batch.length }, () => undefined);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(OBJECT_CONCURRENCY, batch.length) }, async () => {
        while (next < batch.length) {
          const i = next++;
          const item = batch[i]!;
          ctx.signal?.throwIfAborted();
          const again = await reusable(ctx.writer, earlier.get(entryKey(item.name, item.version_id)), item);
          if (again) {
            entries[i] = again;
            reused++;
            ctx.stats.reusedBytes += again.type === 'object' ? again.size : 0;
            bytes += again.type === 'object' ? again.size : 0;
            ctx.progress({ type: 'item-bytes', id, doneBytes: bytes });
            continue;
          }
          try {
            entries[i] = await fetchObject(ctx, doc.name, item, packer, progressFile);
          } catch (err) {
            if (ctx.signal?.aborted) throw err;
            if (err instanceof HttpError && err.status === 404) continue; // deleted since the listing: not there to move
            failures.push(`${item.name}: ${err instanceof Error ? err.message : String(err)}`);
          }
          // Bytes stored, as the container's own count has them: a manifest counts as itself, not its segments.
          const got = entries[i];
          bytes += got?.type === 'object' ? got.size : 0;
          ctx.progress({ type: 'item-bytes', id, doneBytes: bytes });
        }
      }),
    );
    await packer.flush();
    await progressFile.flush();
    const objects = entries.filter((e): e is ObjectEntry => e !== undefined);
    count += objects.length;
    if (objects.length)
      pages.push(await ctx.writer.putJson(MediaType.objectPage, { objects } satisfies ObjectPage));
    batch = [];
  };

  for await (const item of swift.listObjects(ctx.session, doc.name, {
    ...(doc.versions_enabled ? { versions: true } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })) {
    batch.push(item);
    if (batch.length >= swift.LISTING_LIMIT) await flushPage();
  }
  await flushPage();
  ctx.progress({ type: 'item-end', id, outcome: failures.length ? 'failed' : 'done' });
  if (failures.length) {
    throw new DownpourError(
      'E_OBJECTS_PARTIAL',
      ExitCode.partial,
      `${failures.length} object(s) of container ${doc.name} could not be read: ${failures.slice(0, 5).join('; ')}${failures.length > 5 ? '; …' : ''}`,
      { hint: 'Run the same export again: objects already stored are not fetched again.' },
    );
  }
  return { pages, count, bytes: doc.bytes, reused };
}
