import { Readable } from 'node:stream';
import { DownpourError, ExitCode } from '../../core/errors.js';
import * as swift from '../../openstack/object-store/index.js';
import type { ObjectListing } from '../../openstack/object-store/index.js';
import { HttpError } from '../../openstack/http/errors.js';
import type { BodySource } from '../../openstack/http/client.js';
import { opts, type ApplyContext, type KindApply } from '../apply/context.js';
import type { GraphNode } from '../model.js';
import { mapAcl } from './acl.js';
import { objectPage, type ContainerDocument, type ObjectEntry } from './document.js';
import { CONTAINER_META, PROVENANCE_META, unquote } from './headers.js';
import { checkDocument } from '../document.js';

const UPLOAD_CONCURRENCY = 16;

/** The container's name at the destination: its own, or the one the plan merges it into. */
function nameAt(ctx: ApplyContext, node: GraphNode, doc: ContainerDocument): string {
  const target = ctx.plan.get(node.key)?.target?.name;
  return target ?? doc.name;
}

/** The storage policy to create the container with: the plan's mapping, else the source's name. */
function policyAt(ctx: ApplyContext, node: GraphNode, doc: ContainerDocument): string | undefined {
  const overrides = ctx.plan.get(node.key)?.overrides;
  if (overrides && 'storage_policy' in overrides) {
    const p = overrides['storage_policy'];
    return typeof p === 'string' ? p : undefined;
  }
  return doc.storage_policy ?? undefined;
}

/** The container's headers at the destination: metadata, mapped ACLs, versioning, and the provenance mark. */
export function containerHeaders(
  ctx: ApplyContext,
  node: GraphNode,
  doc: ContainerDocument,
): Record<string, string> {
  const h: Record<string, string> = { [`${CONTAINER_META}${PROVENANCE_META}`]: ctx.bundleId };
  for (const [k, v] of Object.entries(doc.metadata)) h[`${CONTAINER_META}${k}`] = v;
  const destination = {
    project_id: ctx.session.project.id,
    project_name: ctx.session.project.name,
    user_id: ctx.session.user?.id,
  };
  const source = doc.owner ?? { project_id: '' };
  for (const [field, header] of [
    ['read_acl', 'x-container-read'],
    ['write_acl', 'x-container-write'],
  ] as const) {
    const acl = doc[field];
    if (!acl) continue;
    const mapped = mapAcl(acl, source, destination);
    if (mapped.dropped.length)
      ctx.warn(
        node.key,
        `container ${doc.name}: ${header} entries that name other projects or users of the source were left out: ${mapped.dropped.join(', ')}`,
      );
    if (mapped.value) h[header] = mapped.value;
  }
  if (doc.versions_location) h['x-versions-location'] = doc.versions_location;
  if (doc.history_location) h['x-history-location'] = doc.history_location;
  if (doc.versions_enabled) h['x-versions-enabled'] = 'true';
  return h;
}

/** The destination's objects in a container: name -> ETags, oldest version first. */
async function present(ctx: ApplyContext, name: string, versions: boolean): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const etag = (i: ObjectListing) => unquote(i.slo_etag ?? i.hash);
  for await (const item of swift.listObjects(ctx.session, name, {
    ...(versions ? { versions } : {}),
    ...opts(ctx),
  })) {
    const list = out.get(item.name) ?? [];
    // A versions listing is newest first per name: prepend to keep the oldest first.
    if (versions)
      list.unshift(item.content_type.startsWith('application/x-deleted') ? 'deleted' : etag(item));
    else list.push(etag(item));
    out.set(item.name, list);
  }
  return out;
}

async function* pageEntries(ctx: ApplyContext, doc: ContainerDocument): AsyncGenerator<ObjectEntry> {
  for (const page of doc.objects ?? []) {
    const parsed = checkDocument(
      objectPage,
      { kind: 'object-store.container', sourceId: doc.name, name: doc.name },
      await ctx.reader.readJson(page),
    );
    yield* parsed.objects;
  }
}

function bodyOf(ctx: ApplyContext, container: string, e: ObjectEntry): BodySource {
  const at = e.at;
  const label = `object ${container}/${e.name}`;
  if (!at) return { open: () => Readable.from([]), length: 0, replayable: true };
  if ('pack' in at) {
    return {
      open: () =>
        Readable.from(
          (async function* () {
            yield await ctx.reader.readSlice(at.pack, at.offset, at.length, e.sha256 ?? '', label);
          })(),
        ),
      length: at.length,
      replayable: true,
    };
  }
  return {
    open: () =>
      Readable.from(
        (async function* () {
          yield* await ctx.reader.openData(at.data, opts(ctx));
        })(),
      ),
    length: e.size,
    replayable: true,
  };
}

/** Writes one entry; Swift checks the bytes against the ETag sent with them. */
async function putEntry(ctx: ApplyContext, container: string, e: ObjectEntry): Promise<number> {
  const o = opts(ctx);
  const headers = { ...e.headers };
  const deleteAt = Number(headers['x-delete-at'] ?? NaN);
  if (Number.isFinite(deleteAt) && deleteAt * 1000 <= Date.now()) {
    ctx.warn(
      `object-store.container:${container}`,
      `object ${container}/${e.name} expired at ${new Date(deleteAt * 1000).toISOString()}: not uploaded`,
    );
    return 0;
  }
  switch (e.type) {
    case 'delete-marker':
      await swift.deleteObject(ctx.session, container, e.name, o);
      return 0;
    case 'object':
      await swift.putObject(
        ctx.session,
        container,
        e.name,
        bodyOf(ctx, container, e),
        { ...headers, etag: e.etag },
        o,
      );
      return e.size;
    case 'dlo':
    case 'symlink': {
      // No bytes of its own: the header says where its content is.
      const pointer =
        e.type === 'dlo' ? { 'x-object-manifest': e.manifest ?? '' } : { 'x-symlink-target': e.target ?? '' };
      const empty = bodyOf(ctx, container, { ...e, at: null });
      await swift.putObject(ctx.session, container, e.name, empty, { ...headers, ...pointer }, o);
      return 0;
    }
    case 'slo': {
      const body = Buffer.from(JSON.stringify(e.segments ?? []));
      const res = await swift.putObject(
        ctx.session,
        container,
        e.name,
        { open: () => Readable.from([body]), length: body.length, replayable: true },
        headers,
        { ...o, query: { 'multipart-manifest': 'put' } },
      );
      const etag = unquote(res['etag']);
      if (etag && etag !== e.etag)
        throw new DownpourError(
          'E_OBJECT_MISMATCH',
          ExitCode.partial,
          `large object ${container}/${e.name}: the destination computed ETag ${etag} for its segments, the source had ${e.etag}`,
        );
      return 0;
    }
  }
}

/**
 * Every object of the bundle into the container: plain objects first, then large objects'
 * manifests and symlinks (which need their segments there); with object versioning each
 * name's versions oldest first. What the destination already holds unchanged is skipped, so
 * a rerun uploads only what is missing.
 */
async function uploadObjects(
  ctx: ApplyContext,
  node: GraphNode,
  doc: ContainerDocument,
  name: string,
): Promise<void> {
  const versioned = doc.versions_enabled === true;
  const there = await present(ctx, name, versioned);
  const id = `objects:${node.key}`;
  ctx.progress({ type: 'item-start', id, label: `container ${name}`, totalBytes: doc.bytes });
  let done = 0;
  const run = async (items: ObjectEntry[][]) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(UPLOAD_CONCURRENCY, items.length) }, async () => {
        while (next < items.length) {
          const group = items[next++]!;
          ctx.signal?.throwIfAborted();
          const have = there.get(group[0]!.name) ?? [];
          // Versions already there, oldest first and matching, are not written again.
          let skip = 0;
          while (
            skip < group.length &&
            skip < have.length &&
            have[skip] === (group[skip]!.type === 'delete-marker' ? 'deleted' : group[skip]!.etag)
          )
            skip++;
          for (const e of group.slice(skip)) done += await putEntry(ctx, name, e);
          ctx.progress({ type: 'item-bytes', id, doneBytes: done });
        }
      }),
    );
  };
  // Group versions by name (a page lists them newest first), oldest first within a group.
  const first: ObjectEntry[][] = [];
  const later: ObjectEntry[][] = [];
  let group: ObjectEntry[] = [];
  const close = () => {
    if (!group.length) return;
    const ordered = versioned ? [...group].reverse() : group;
    (ordered.some((e) => e.type === 'slo' || e.type === 'dlo' || e.type === 'symlink') ? later : first).push(
      ordered,
    );
    group = [];
  };
  for await (const e of pageEntries(ctx, doc)) {
    if (group.length && (group[0]!.name !== e.name || !versioned)) close();
    group.push(e);
    if (first.length >= 10_000) await run(first.splice(0));
  }
  close();
  await run(first);
  await run(later);
  ctx.progress({ type: 'item-end', id, outcome: 'done' });
}

/** Empties a container (every version of every object) and removes it; gone already is fine. */
async function removeContainer(ctx: ApplyContext, name: string): Promise<void> {
  const o = opts(ctx);
  const h = await swift.headContainer(ctx.session, name, o);
  if (!h) return;
  // Versioning would keep or restore what is deleted: off first.
  const off: Record<string, string> = {};
  if (h['x-versions-location']) off['x-remove-versions-location'] = 'x';
  if (h['x-history-location']) off['x-remove-history-location'] = 'x';
  const versioned = h['x-versions-enabled'] !== undefined;
  if (/^true$/i.test(h['x-versions-enabled'] ?? '')) off['x-versions-enabled'] = 'false';
  if (Object.keys(off).length) await swift.postContainer(ctx.session, name, off, o);
  for (let round = 0; round < 3; round++) {
    const items: ObjectListing[] = [];
    for await (const item of swift.listObjects(ctx.session, name, {
      ...(versioned ? { versions: true } : {}),
      ...o,
    }))
      items.push(item);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(UPLOAD_CONCURRENCY, items.length) }, async () => {
        while (next < items.length) {
          const item = items[next++]!;
          await swift.deleteObject(ctx.session, name, item.name, {
            ...o,
            ...(item.version_id ? { query: { 'version-id': item.version_id } } : {}),
          });
        }
      }),
    );
    try {
      await swift.deleteContainer(ctx.session, name, o);
      return;
    } catch (err) {
      // 409: a listing that lagged behind a delete; list again.
      if (!(err instanceof HttpError && err.status === 409) || round === 2) throw err;
    }
  }
}

/**
 * Swift containers have no ids or tags: the name is the id, and a container this bundle's
 * import made carries the bundle id in its metadata (`X-Container-Meta-Downpour-Bundle`).
 */
export const containerApply: KindApply<ContainerDocument> = {
  kind: 'object-store.container',
  async find(ctx, node, doc) {
    const name = nameAt(ctx, node, doc);
    const h = await swift.headContainer(ctx.session, name, opts(ctx));
    return h && h[`${CONTAINER_META}${PROVENANCE_META}`] === ctx.bundleId ? { id: name } : undefined;
  },
  async create(ctx, node, doc, record, existing) {
    const o = opts(ctx);
    const name = existing?.id ?? nameAt(ctx, node, doc);
    const headers = containerHeaders(ctx, node, doc);
    if (!existing) {
      const merge = ctx.plan.get(node.key)?.action === 'merge';
      const h = await swift.headContainer(ctx.session, name, o);
      if (h && !merge && h[`${CONTAINER_META}${PROVENANCE_META}`] !== ctx.bundleId) {
        throw new DownpourError(
          'E_CONTAINER_EXISTS',
          ExitCode.preflight,
          `container ${name} already exists at the destination and was not made by this bundle's import`,
          {
            hint: `Merge into it with \`containers: { ${name}: merge }\` in map.yaml, or remove or rename it first.`,
          },
        );
      }
      if (h && merge) {
        // The user's own container: its settings stay as they are; only the objects go in.
        await record({ id: name, extra: { merged: true } });
      } else {
        const policy = policyAt(ctx, node, doc);
        await swift.putContainer(
          ctx.session,
          name,
          { ...headers, ...(policy ? { 'x-storage-policy': policy } : {}) },
          o,
        );
        await record({ id: name });
      }
    } else if (existing.extra?.['merged'] !== true) {
      await swift.postContainer(ctx.session, name, headers, o);
    }
    await uploadObjects(ctx, node, doc, name);
    return { id: name };
  },
  async remove(ctx, entry) {
    if (!entry.targetId) return;
    // A container the import merged into was the user's before: it stays, with what was added.
    if (entry.extra?.['merged'] === true) {
      ctx.warn(
        `object-store.container:${entry.targetId}`,
        `container ${entry.targetId} existed before the import merged into it: it is left as it is`,
      );
      return;
    }
    await removeContainer(ctx, entry.targetId);
  },
};
