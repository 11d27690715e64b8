import * as swift from '../../openstack/object-store/index.js';
import type { Session } from '../../openstack/session/session.js';
import type { KindExport, Reference } from '../kind.js';
import type { ContainerDocument } from './document.js';
import { containerMetadata, containerOfPath, EMPTY_MD5, unquote } from './headers.js';

const ref = (id: string): Reference => ({ kind: 'object-store.container', id });

/** The source's default storage policy, read once per session: a container on it needs no mapping. */
const defaults = new WeakMap<Session, Promise<string | undefined>>();
function defaultPolicy(session: Session, signal: AbortSignal | undefined): Promise<string | undefined> {
  let p = defaults.get(session);
  if (!p) {
    p = swift
      .info(session, signal ? { signal } : {})
      .then((i) => i.swift?.policies?.find((x) => x.default)?.name)
      .catch(() => undefined);
    defaults.set(session, p);
  }
  return p;
}

/**
 * The containers a container's objects need at the destination first: where its static and
 * dynamic large objects keep their segments. Read from the listing and the manifests (one read
 * per large object; a plain object costs nothing here).
 */
async function segmentContainers(
  session: Session,
  name: string,
  signal: AbortSignal | undefined,
): Promise<{ needs: Set<string>; links: Set<string> }> {
  const needs = new Set<string>();
  const links = new Set<string>();
  const opts = signal ? { signal } : {};
  for await (const item of swift.listObjects(session, name, opts)) {
    if (item.symlink_path) {
      // `/v1/AUTH_<project>/<container>/<object>`; versioned objects link into Swift's hidden
      // (reserved-name) containers, which are not the tenant's to move.
      const m = /^\/v1\/([^/]+)\/([^/]+)\//.exec(item.symlink_path);
      const c = m?.[2] ? decodeURIComponent(m[2]) : undefined;
      if (c && !c.startsWith('\u0000') && m?.[1] === `AUTH_${session.project.id}`) links.add(c);
    } else if (item.slo_etag) {
      const res = await swift.getObject(session, name, item.name, {
        query: { 'multipart-manifest': 'get', format: 'raw' },
        ...opts,
      });
      const chunks: Buffer[] = [];
      for await (const piece of res.data) chunks.push(Buffer.from(piece as Uint8Array));
      try {
        for (const s of JSON.parse(Buffer.concat(chunks).toString('utf8')) as { path?: string }[]) {
          const c = s.path ? containerOfPath(s.path) : undefined;
          if (c) needs.add(c);
        }
      } catch {
        // The capture reads the manifest again and reports it.
      }
    } else if (item.bytes === 0 && unquote(item.hash) === EMPTY_MD5) {
      const h = await swift.headObject(session, name, item.name, {
        query: { 'multipart-manifest': 'get' },
        ...opts,
      });
      const manifest = h?.['x-object-manifest'];
      const c = manifest ? containerOfPath(`${manifest}/`) : undefined;
      if (c) needs.add(c);
    }
  }
  needs.delete(name);
  links.delete(name);
  return { needs, links };
}

/** A Swift container: settings from its HEAD, objects captured later into pages. Its id is its name. */
export const containerExport: KindExport<ContainerDocument> = {
  kind: 'object-store.container',
  async describe(ctx, name) {
    const opts = ctx.signal ? { signal: ctx.signal } : {};
    const h = await swift.headContainer(ctx.session, name, opts);
    if (!h) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `object-store.container:${name}`,
        message: `container ${name} does not exist or is not readable by this project`,
      });
      return undefined;
    }
    const { metadata, secrets } = containerMetadata(h);
    if (secrets.length) {
      ctx.note({
        severity: 'warning',
        code: 'TEMPURL_KEY_NOT_EXPORTED',
        key: `object-store.container:${name}`,
        message: `container ${name} has temporary URL keys (${secrets.join(', ')}): secrets are not written to a bundle; set new keys at the destination, and temporary URLs made with the old ones stop working`,
      });
    }
    const document: ContainerDocument = {
      name,
      metadata,
      object_count: Number(h['x-container-object-count'] ?? 0),
      bytes: Number(h['x-container-bytes-used'] ?? 0),
      owner: {
        project_id: ctx.session.project.id,
        project_name: ctx.session.project.name,
        user_id: ctx.session.user?.id ?? null,
      },
      ...(h['x-storage-policy'] && h['x-storage-policy'] !== (await defaultPolicy(ctx.session, ctx.signal))
        ? { storage_policy: h['x-storage-policy'] }
        : {}),
      ...(h['x-container-read'] ? { read_acl: h['x-container-read'] } : {}),
      ...(h['x-container-write'] ? { write_acl: h['x-container-write'] } : {}),
      ...(h['x-versions-location'] ? { versions_location: h['x-versions-location'] } : {}),
      ...(h['x-history-location'] ? { history_location: h['x-history-location'] } : {}),
      ...(/^true$/i.test(h['x-versions-enabled'] ?? '') ? { versions_enabled: true } : {}),
    };
    const { needs, links } = await segmentContainers(ctx.session, name, ctx.signal);
    const archive = document.versions_location ?? document.history_location;
    if (archive && archive !== name) needs.add(archive);
    return {
      name,
      disposition: 'create',
      document,
      dependsOn: [...needs].sort().map(ref),
      softDependsOn: [...links].sort().map(ref),
      data: { from: 'container', container: name },
    };
  },
};
