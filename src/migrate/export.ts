import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DownpourError, ExitCode, UsageError, errorMessage } from '../core/errors.js';
import { NoSpaceError, isNoSpace } from '../core/disk.js';
import { ensureDir } from '../core/fs-atomic.js';
import { KeyedLock } from '../core/keyed-lock.js';
import { withRunLock } from '../core/run-lock.js';
import { silentLogger, type Logger } from '../core/log.js';
import { noProgress, type ProgressSink } from '../core/progress.js';
import { BundleWriter, MediaType, blobPath, type Descriptor } from '../bundle/index.js';
import type { DataPlan, SourceContext } from '../kinds/kind.js';
import { GRAPH_SCHEMA_VERSION, type ExportNote, type GraphDocument, type GraphNode } from '../kinds/model.js';
import { SourceCache } from '../kinds/source-cache.js';
import type { Session } from '../openstack/session/session.js';
import type { CaptureMode, Selection } from '../select/selection-file.js';
import { VERSION } from '../version.js';
import { captureData, type CaptureContext, type Captured } from './capture.js';
import { captureObjects, type CapturedObjects } from '../kinds/container/capture.js';
import type { ContainerDocument } from '../kinds/container/document.js';
import { rememberKnown } from './download.js';
import { closeOverDependencies } from './closure.js';
import { TemporaryJournal, findTemporaries, removeTemporaries } from './temporaries.js';

export interface ExportOptions {
  selection: Selection;
  /** The bundle directory: created, or added to (same bundle id, only missing data fetched). */
  bundle: string;
  /** Overrides the selection file's `options.capture`. */
  capture?: CaptureMode;
  /** Data captures running at once (default 2). */
  dataConcurrency?: number;
  /** API reads running at once during the closure (default 8). */
  apiConcurrency?: number;
  progress?: ProgressSink;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface ExportReport {
  bundle: string;
  bundleId: string;
  nodes: { kind: string; create: number; existing: number }[];
  dataBytes: number;
  downloadedBytes: number;
  reusedBytes: number;
  notes: ExportNote[];
  failures: { key: string; message: string }[];
  seconds: number;
}

/** Data of the previous export into the same bundle, by source hash, so unchanged data is not fetched again. */
async function previousData(writer: BundleWriter): Promise<CaptureContext['known']> {
  const known: CaptureContext['known'] = new Map();
  const root = writer.committed?.root;
  if (!root) return known;
  try {
    const graph = JSON.parse(await readFile(blobPath(writer.dir, root.digest), 'utf8')) as GraphDocument;
    for (const node of graph.nodes)
      if (node.data && node.dataInfo) rememberKnown(known, { data: node.data, dataInfo: node.dataInfo });
  } catch {
    // An unreadable previous graph only costs a fresh download.
  }
  return known;
}

/**
 * Source -> bundle: close the selection over its dependencies, store one document per
 * resource, capture image and volume data, then commit the graph. Kill it at any moment and run
 * it again: committed chunks are not downloaded again, and temporaries are reused or removed.
 */
export async function exportBundle(session: Session, options: ExportOptions): Promise<ExportReport> {
  const started = Date.now();
  const progress = options.progress ?? noProgress;
  const logger = options.logger ?? silentLogger;
  const signal = options.signal;
  const capture = options.capture ?? options.selection.options?.capture ?? 'snapshot';
  const selectionProject = options.selection.source.project?.id;
  if (selectionProject && selectionProject !== session.project.id) {
    throw new UsageError(
      `the selection was made in project ${options.selection.source.project?.name ?? selectionProject} (${selectionProject}), but cloud "${session.cloud.name}" is project ${session.project.name} (${session.project.id})`,
      { hint: 'Export with the cloud the selection was made in, or run `downpour select` against this one.' },
    );
  }

  // One export into a bundle at a time: two would make and remove each other's temporaries.
  // The lock sits beside the bundle, as an import's state folder does.
  const bundleDir = options.bundle.replace(/\/+$/, '');
  await ensureDir(dirname(resolve(bundleDir)));
  return withRunLock(
    `${bundleDir}.lock`,
    `bundle ${options.bundle}`,
    `downpour export into ${options.bundle}`,
    () =>
      exportLocked(session, options, { started, progress, logger, signal, capture }).catch(
        async (err: unknown) => {
          if (isNoSpace(err)) throw await NoSpaceError.of('the export', bundleDir, undefined, err);
          throw err;
        },
      ),
  );
}

async function exportLocked(
  session: Session,
  options: ExportOptions,
  run: {
    started: number;
    progress: ProgressSink;
    logger: Logger;
    signal: AbortSignal | undefined;
    capture: CaptureMode;
  },
): Promise<ExportReport> {
  const { started, progress, logger, signal, capture } = run;
  const writer = await BundleWriter.open(options.bundle);
  const journal = await TemporaryJournal.open(writer.dir, writer.bundleId);
  const notes: ExportNote[] = [];
  const note = (n: ExportNote) => {
    if (!notes.some((x) => x.code === n.code && x.key === n.key && x.message === n.message)) notes.push(n);
  };

  // Temporaries that an earlier, killed run created but never journalled are removed now;
  // journalled ones are kept, so their half-finished capture can be resumed.
  progress({ type: 'phase', phase: 'cleanup', message: 'looking for temporaries left by an earlier run' });
  const journalled = new Set(journal.entries.map((t) => t.id));
  const strays = (await findTemporaries(session, writer.bundleId, signal)).filter(
    (t) => !journalled.has(t.id),
  );
  if (strays.length) {
    progress({
      type: 'message',
      level: 'info',
      message: `removing ${strays.length} temporaries left by an earlier run`,
    });
    await removeTemporaries(session, strays, logger, signal);
  }

  progress({
    type: 'phase',
    phase: 'closure',
    message: `reading ${options.selection.resources.length} selected resources and their dependencies`,
  });
  const ctx: SourceContext = {
    session,
    cache: new SourceCache(session, signal),
    capture,
    note,
    ...(signal ? { signal } : {}),
  };
  const closure = await closeOverDependencies(ctx, options.selection.resources, options.apiConcurrency ?? 8);

  progress({
    type: 'phase',
    phase: 'data',
    message: `capturing data (${[...closure.values()].filter((n) => n.described.data).length} items)`,
  });
  const captureCtx: CaptureContext = {
    session,
    writer,
    journal,
    bundleId: writer.bundleId,
    progress,
    logger,
    known: await previousData(writer),
    stats: { downloadedBytes: 0, reusedBytes: 0 },
    stopForCapture: capture === 'stop',
    serverTurns: new KeyedLock(),
    ...(signal ? { signal } : {}),
  };
  const captured = new Map<string, Captured>();
  const objects = new Map<string, CapturedObjects>();
  const failures: { key: string; message: string }[] = [];
  let noSpace: NoSpaceError | undefined;
  const withData = [...closure.values()].filter(
    (n): n is typeof n & { described: { data: DataPlan } } => n.described.data !== undefined,
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.dataConcurrency ?? 2, withData.length) }, async () => {
      while (next < withData.length) {
        const node = withData[next++];
        if (!node || signal?.aborted) return;
        const label = `${node.ref.kind.split('.')[1]} ${node.described.name ?? node.ref.id}`;
        try {
          const plan = node.described.data;
          if (plan.from === 'container') {
            objects.set(
              node.key,
              await captureObjects(
                { session, writer, progress, note, stats: captureCtx.stats, ...(signal ? { signal } : {}) },
                node.described.document as ContainerDocument,
                label,
              ),
            );
            continue;
          }
          captured.set(node.key, await captureData(captureCtx, plan, label));
        } catch (err) {
          if (signal?.aborted) throw err;
          if (err instanceof NoSpaceError) noSpace ??= err;
          failures.push({ key: node.key, message: errorMessage(err) });
          logger.debug(`capture of ${node.key} failed: ${errorMessage(err)}`);
        }
      }
    }),
  );
  signal?.throwIfAborted();
  // A full disk is the one cause to name alone: every other capture failed for the same reason.
  if (noSpace) throw noSpace;
  if (failures.length) {
    throw new DownpourError(
      'E_EXPORT_PARTIAL',
      ExitCode.partial,
      `the data of ${failures.length} resource(s) could not be captured: ${failures.map((f) => `${f.key}: ${f.message}`).join('; ')}`,
      {
        hint: 'Everything captured so far is kept in the bundle; run the same export again to finish it.',
        details: { failures },
      },
    );
  }

  progress({ type: 'phase', phase: 'commit', message: 'writing the graph and committing the bundle' });
  const nodes: GraphNode[] = [];
  for (const node of [...closure.values()].sort((a, b) => a.key.localeCompare(b.key))) {
    const pages = objects.get(node.key)?.pages;
    const document: Descriptor = await writer.putJson(MediaType.resource, {
      kind: node.ref.kind,
      sourceId: node.ref.id,
      name: node.described.name ?? null,
      document: pages ? { ...node.described.document, objects: pages } : node.described.document,
    });
    const data = captured.get(node.key);
    nodes.push({
      key: node.key,
      kind: node.ref.kind,
      sourceId: node.ref.id,
      name: node.described.name,
      disposition: node.described.disposition,
      ...(node.described.identity ? { identity: node.described.identity } : {}),
      dependsOn: node.dependsOn,
      document,
      ...(data ? { data: data.data, dataInfo: data.dataInfo } : {}),
      selected: node.selected,
    });
  }
  const graph: GraphDocument = {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    source: {
      cloud: session.cloud.name,
      authUrl: session.cloud.auth.auth_url,
      region: session.cloud.regionName,
      project: session.project,
    },
    exportedAt: new Date().toISOString(),
    downpourVersion: VERSION,
    options: { capture },
    selection: options.selection.resources.map((r) => ({
      kind: r.kind,
      id: r.id,
      ...(r.name ? { name: r.name } : {}),
    })),
    nodes,
    notes: notes.sort((a, b) => (a.key ?? '').localeCompare(b.key ?? '') || a.code.localeCompare(b.code)),
  };
  const root = await writer.putJson(MediaType.graph, graph);

  // Everything temporary goes before the commit, which also removes the journal.
  const leftovers = await findTemporaries(session, writer.bundleId, signal);
  const failed = await removeTemporaries(session, leftovers, logger, signal);
  if (failed.length) {
    throw new DownpourError(
      'E_TEMPORARIES',
      ExitCode.partial,
      `could not remove temporaries in the source: ${failed.join('; ')}`,
      {
        hint: 'Run the same export again: it removes them before it commits.',
      },
    );
  }
  await writer.commit(root, { 'org.downpour.source.project': session.project.name });

  const byKind = new Map<string, { kind: string; create: number; existing: number }>();
  for (const n of nodes) {
    const row = byKind.get(n.kind) ?? { kind: n.kind, create: 0, existing: 0 };
    row[n.disposition] += 1;
    byKind.set(n.kind, row);
  }
  return {
    bundle: writer.dir,
    bundleId: writer.bundleId,
    nodes: [...byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind)),
    dataBytes:
      nodes.reduce((sum, n) => sum + (n.dataInfo?.size ?? 0), 0) +
      [...objects.values()].reduce((sum, o) => sum + o.bytes, 0),
    downloadedBytes: captureCtx.stats.downloadedBytes,
    reusedBytes: captureCtx.stats.reusedBytes,
    notes: graph.notes,
    failures,
    seconds: (Date.now() - started) / 1000,
  };
}
