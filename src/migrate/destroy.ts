import { DownpourError, ExitCode, errorMessage } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { noProgress, type ProgressSink } from '../core/progress.js';
import { rm } from 'node:fs/promises';
import { APPLIES, REMOVAL_ORDER } from '../kinds/registry.js';
import type { ImportContext } from './import-context.js';
import type { KindName } from '../kinds/model.js';
import * as images from '../openstack/image/images/index.js';
import * as servers from '../openstack/compute/servers/index.js';
import * as volumes from '../openstack/block-storage/volumes/index.js';
import { orUndefined } from '../openstack/common.js';
import type { Session } from '../openstack/session/session.js';
import { destinationOf, findEarlier, loadBundle, withDestinationLock, type LoadedBundle } from './import.js';
import { ImportJournal, statePath, type DestinationKey, type JournalEntry } from './journal.js';

export interface DestroyOptions {
  bundle: string;
  state?: string;
  progress?: ProgressSink;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface DestroyReport {
  removed: { key: string; kind: string; id: string }[];
  failed: { key: string; kind: string; id: string; message: string }[];
  statePath: string;
}

/**
 * Objects of this bundle found by their provenance tags, for when the journal is missing
 * entries (a run died between create and journal, or destroy runs on another machine).
 */
async function findByProvenance(
  session: Session,
  bundleId: string,
  signal?: AbortSignal,
): Promise<{ kind: KindName; id: string; sourceId: string }[]> {
  const o = signal ? { signal } : {};
  const tag = `downpour:bundle=${bundleId}`;
  const found: { kind: KindName; id: string; sourceId: string }[] = [];
  const src = (tags: string[] | undefined) =>
    (tags ?? []).find((t) => t.startsWith('downpour:src='))?.slice('downpour:src='.length) ?? '';
  // Kinds that list by tag, in removal order.
  for (const kind of REMOVAL_ORDER) {
    const tagged = APPLIES[kind]?.tagged;
    if (!tagged) continue;
    for await (const item of tagged(session, [tag], o))
      found.push({ kind, id: item.id, sourceId: src(item.tags) });
  }
  if (await session.supports('compute', '2.26')) {
    for await (const s of servers.list(session, { tags: [tag] }, o))
      found.push({ kind: 'compute.server', id: s.id, sourceId: src(s.tags) });
  }
  for await (const v of volumes.list(session, { metadata: { 'downpour:bundle': bundleId } }, o)) {
    found.push({ kind: 'block-storage.volume', id: v.id, sourceId: v.metadata['downpour:src'] ?? '' });
  }
  for await (const img of images.list(session, { tag: [tag], owner: session.project.id }, o)) {
    found.push({ kind: 'image.image', id: img.id, sourceId: src(img.tags) });
  }
  return found;
}

/**
 * Remove exactly what an import of this bundle created in this project (journal entries
 * with status created or adopted, rules merged into default groups, and anything carrying the
 * bundle's provenance tags), dependents first. Mapped, reused and merged objects are left alone.
 */
export async function destroyImport(session: Session, options: DestroyOptions): Promise<DestroyReport> {
  const progress = options.progress ?? noProgress;
  const logger = options.logger ?? silentLogger;
  const bundle = await loadBundle(options.bundle);
  const destination = destinationOf(session);
  const path = statePath(options.bundle, bundle.bundleId, destination, options.state);
  return withDestinationLock(path, bundle.bundleId, destination, 'destroy', () =>
    destroyLocked(session, options, bundle, destination, path, progress, logger),
  );
}

async function destroyLocked(
  session: Session,
  options: DestroyOptions,
  bundle: LoadedBundle,
  destination: DestinationKey,
  path: string,
  progress: ProgressSink,
  logger: Logger,
): Promise<DestroyReport> {
  const journal = await ImportJournal.open(path, bundle.bundleId, destination);
  const ctx = {
    session,
    bundleId: bundle.bundleId,
    journal,
    reader: bundle.reader,
    nodes: new Map(bundle.graph.nodes.map((n) => [n.key, n])),
    plan: new Map(),
    documents: bundle.documents,
    caps: {
      neutronTags: true,
      serverTags: true,
      extraroute: true,
      portSecurity: true,
      allowedAddressPairs: true,
    },
    progress,
    logger,
    ...(options.signal ? { signal: options.signal } : {}),
    warn: (_key: string, message: string) => progress({ type: 'message', level: 'warning', message }),
  } satisfies ImportContext;

  const todo = new Map<string, JournalEntry & { key: string }>();
  for (const [key, entry] of Object.entries(journal.entries)) {
    const mergedRules = entry.kind === 'network.security-group-rules' && entry.extra?.['merged'] === true;
    if (((entry.status === 'created' || entry.status === 'adopted') && entry.targetId) || mergedRules)
      todo.set(key, { ...entry, key });
  }
  // A run killed between a create call and its journal entry left only an intent: look for
  // the object the way a resumed import would, so that it is removed too.
  for (const [key, entry] of Object.entries(journal.entries)) {
    const node = ctx.nodes.get(key);
    if (entry.status !== 'creating' || !node) continue;
    const found = await findEarlier(ctx, node, bundle.documents.get(key) ?? {}, entry).catch(() => undefined);
    if (found) todo.set(key, { ...entry, key, status: 'adopted', targetId: found.id });
  }
  const known = new Set([...todo.values()].map((e) => `${e.kind}:${e.targetId}`));
  for (const f of await findByProvenance(session, bundle.bundleId, options.signal)) {
    if (known.has(`${f.kind}:${f.id}`)) continue;
    const key = `${f.kind}:${f.sourceId || f.id}#${f.id}`;
    todo.set(key, {
      key,
      kind: f.kind,
      status: 'adopted',
      targetId: f.id,
      updatedAt: new Date().toISOString(),
    });
  }

  const report: DestroyReport = { removed: [], failed: [], statePath: path };
  for (const kind of REMOVAL_ORDER) {
    const batch = [...todo.values()].filter((e) => e.kind === kind);
    if (!batch.length) continue;
    progress({ type: 'phase', phase: kind, message: `removing ${batch.length} ${kind}` });
    await Promise.all(
      batch.map(async (entry) => {
        try {
          await APPLIES[kind]?.remove(ctx, entry);
          report.removed.push({ key: entry.key, kind, id: entry.targetId ?? '' });
          if (journal.get(entry.key)) await journal.remove(entry.key);
        } catch (err) {
          report.failed.push({ key: entry.key, kind, id: entry.targetId ?? '', message: errorMessage(err) });
          logger.debug(`could not remove ${entry.key}: ${errorMessage(err)}`);
        }
      }),
    );
  }
  for await (const img of images.list(session, {
    tag: ['downpour:temporary', `downpour:bundle=${bundle.bundleId}`],
    owner: session.project.id,
  })) {
    await orUndefined(() => images.remove(session, img.id));
  }
  if (report.failed.length) {
    throw Object.assign(
      new DownpourError(
        'E_DESTROY_PARTIAL',
        ExitCode.partial,
        `${report.failed.length} object(s) could not be removed: ${report.failed.map((f) => `${f.key}: ${f.message}`).join('; ')}`,
        {
          hint: 'Run the same destroy again; what was removed is already out of the journal.',
        },
      ),
      { report },
    );
  }
  // Nothing of ours is left: mapped, reused and merged entries need no memory.
  await rm(path, { force: true });
  return report;
}
