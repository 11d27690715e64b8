import { dirname } from 'node:path';
import { IN_FLIGHT_MS } from '../kinds/apply/in-flight.js';
import { ensureDir } from '../core/fs-atomic.js';
import { withRunLock } from '../core/run-lock.js';
import {
  BundleIntegrityError,
  DownpourError,
  ExitCode,
  InterruptedError,
  errorMessage,
} from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { sleep } from '../core/sleep.js';
import { noProgress, type ProgressSink } from '../core/progress.js';
import { openBundle, verifyBundle, type BundleReader } from '../bundle/index.js';
import { Graph } from '../graph/graph.js';
import { walkGraph, type NodeOutcome } from '../graph/walk.js';
import { loadDocuments, loadGraph } from '../kinds/load.js';
import type { GraphDocument, GraphNode } from '../kinds/model.js';
import { APPLIES } from '../kinds/registry.js';
import { text, type ApplyContext, type Created, type DestinationCaps } from '../kinds/apply/context.js';
import type { ImportContext } from './import-context.js';
import * as images from '../openstack/image/images/index.js';
import { orUndefined } from '../openstack/common.js';
import type { Session } from '../openstack/session/session.js';
import { planImport } from '../plan/plan.js';
import type { DestinationFacts, MappingFile, Plan, PlannedNode } from '../plan/types.js';
import { gatherDestinationFacts } from './facts.js';
import {
  ImportJournal,
  statePath,
  type DestinationKey,
  type EntryStatus,
  type JournalEntry,
} from './journal.js';
import { verifyImport, type VerificationCheck } from './verify-import.js';
import { earlierObjectsOf } from './earlier.js';

export interface LoadedBundle {
  reader: BundleReader;
  graph: GraphDocument;
  graphDigest: string;
  bundleId: string;
  /** Resource documents by node key. */
  documents: Map<string, Record<string, unknown>>;
}

export async function loadBundle(path: string): Promise<LoadedBundle> {
  const reader = await openBundle(path);
  const graph = await loadGraph(reader);
  const documents = await loadDocuments(reader, graph);
  const index = reader.index();
  return { reader, graph, graphDigest: index.root.digest, bundleId: index.bundleId, documents };
}

/**
 * One import or destroy of a bundle into a destination at a time, on this machine: the lock
 * file sits beside the journal of that pair, so two state folders lock apart.
 */
export async function withDestinationLock<T>(
  journalPath: string,
  bundleId: string,
  destination: DestinationKey,
  command: 'import' | 'destroy',
  body: () => Promise<T>,
): Promise<T> {
  await ensureDir(dirname(journalPath));
  return withRunLock(
    `${journalPath}.lock`,
    `bundle ${bundleId} in project ${destination.project.name} (${destination.cloud})`,
    `downpour ${command} of bundle ${bundleId}`,
    body,
  );
}

/** How recent another run's object must be to count as that run still under way. */
export const CONCURRENT_RUN_WINDOW_MS = 15 * 60_000;

/**
 * A first run here (no journal) looks once per kind for objects tagged with this bundle. Some
 * made moments ago mean another import of it into this project is under way, on another
 * machine or from another copy of the bundle: refused (exit 7) rather than both creating.
 * Older ones are an earlier import whose journal was lost, and are adopted.
 */
async function firstRunProbe(
  session: Session,
  bundle: LoadedBundle,
  destination: DestinationKey,
  caps: DestinationCaps,
  nodes: ReadonlyMap<string, GraphNode>,
  options: ImportOptions,
  signal: AbortSignal | undefined,
): Promise<Set<string>> {
  const { empty, found } = await earlierObjectsOf(session, bundle.bundleId, caps, nodes, signal);
  const now = Date.now();
  const recent = found
    .filter((f) => f.createdAt !== undefined && now - f.createdAt < CONCURRENT_RUN_WINDOW_MS)
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  const newest = recent[0];
  if (newest && !options.adopt) {
    const ago = Math.max(0, Math.round((now - (newest.createdAt ?? now)) / 1000));
    throw new DownpourError(
      'E_CONCURRENT_IMPORT',
      ExitCode.locked,
      `another import of bundle ${bundle.bundleId} into project ${destination.project.name} seems to be under way: its ${newest.kind} ${newest.id} was made ${ago} s ago, and this machine has no journal of it`,
      {
        hint: 'Let that import finish, and run destroy or import again where it runs (its journal is there). If it is dead, run this import with --adopt to take over what it made.',
        details: { recent },
      },
    );
  }
  return empty;
}

export function destinationOf(session: Session): DestinationKey {
  return {
    cloud: session.cloud.name,
    authUrl: session.cloud.auth.auth_url,
    region: session.cloud.regionName,
    project: session.project,
  };
}

/** Plan an import of a loaded bundle into the session's project (facts gathered now). */
export async function planFor(
  session: Session,
  bundle: LoadedBundle,
  mapping: MappingFile,
  signal?: AbortSignal,
): Promise<Plan> {
  return (await planWithFacts(session, bundle, mapping, signal)).plan;
}

async function planWithFacts(
  session: Session,
  bundle: LoadedBundle,
  mapping: MappingFile,
  signal?: AbortSignal,
): Promise<{ plan: Plan; facts: DestinationFacts }> {
  const containers = bundle.graph.nodes
    .filter((n) => n.kind === 'object-store.container')
    .map((n) => n.sourceId);
  const facts = await gatherDestinationFacts(session, signal, { containers });
  const plan = planImport({
    graph: bundle.graph,
    graphDigest: bundle.graphDigest,
    bundleId: bundle.bundleId,
    documents: bundle.documents,
    facts,
    mapping,
  });
  return { plan, facts };
}

export interface ImportOptions {
  bundle: string;
  mapping?: MappingFile;
  /** A plan saved by `downpour plan -o`: applied only if the destination still matches it. */
  savedPlan?: Plan;
  /** Where the journal lives (a file, or a folder for the default file name). */
  state?: string;
  /**
   * Take over what another import of this bundle made in this project moments ago, for which
   * this machine has no journal (that run is known to be dead). Without it such an import is
   * refused (exit 7), since the other run may still be creating.
   */
  adopt?: boolean;
  apiConcurrency?: number;
  dataConcurrency?: number;
  progress?: ProgressSink;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface ImportedNode {
  key: string;
  kind: string;
  name: string | undefined;
  action: PlannedNode['action'];
  status: EntryStatus | 'skipped' | 'pending';
  targetId?: string;
  message?: string;
}

export interface ImportReport {
  bundleId: string;
  destination: DestinationKey;
  statePath: string;
  outcome: 'complete' | 'partial';
  nodes: ImportedNode[];
  /** Source id -> destination id, for everything created, mapped, reused or merged. */
  idMap: Record<string, string>;
  floatingIps: { source: string; destination: string }[];
  verification: VerificationCheck[];
  /** What the import left out or changed on the way, one sentence each (also shown as it happened). */
  warnings: string[];
  seconds: number;
}

export class PreflightError extends DownpourError {
  readonly plan: Plan;
  constructor(plan: Plan) {
    const errors = plan.findings.filter((f) => f.severity === 'error');
    super(
      'E_PREFLIGHT',
      ExitCode.preflight,
      `preflight refused the import, nothing was created:\n${errors.map((f) => `  - ${f.message}`).join('\n')}`,
      {
        hint: 'Fix what is listed (quota, a mapping in map.yaml, a missing flavor or network), then run `downpour plan` again.',
      },
    );
    this.plan = plan;
  }
}

/** What the destination's APIs can do, from the facts the plan was made with (no second request). */
async function destinationCaps(session: Session, facts: DestinationFacts): Promise<DestinationCaps> {
  const aliases = new Set(facts.networkExtensions);
  return {
    neutronTags: aliases.has('standard-attr-tag') || aliases.has('tag'),
    serverTags: await session.supports('compute', '2.52'),
    extraroute: aliases.has('extraroute'),
    portSecurity: aliases.has('port-security'),
    allowedAddressPairs: aliases.has('allowed-address-pairs'),
  };
}

const DATA_KINDS = new Set(['image.image', 'block-storage.volume']);

/** What the walk applies: what is created, and the rules merged into the destination's `default` group. */
const isApplied = (p: PlannedNode | undefined): boolean =>
  p?.action === 'create' || (p?.action === 'merge' && p.kind === 'network.security-group-rules');

/**
 * Bundle -> destination: plan (refusing on a failed preflight before anything is created),
 * then walk the graph in dependency order with bounded parallelism. Every id is journalled the
 * moment its create call returns; a failure skips what depends on it, never its siblings.
 */
export async function importBundle(session: Session, options: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const progress = options.progress ?? noProgress;
  const logger = options.logger ?? silentLogger;
  const signal = options.signal;
  const bundle = await loadBundle(options.bundle);
  progress({
    type: 'phase',
    phase: 'check',
    message: 'checking the bundle: every blob present at its size, every document by SHA-256',
  });
  await checkBundleIntegrity(bundle.reader, signal);
  const destination = destinationOf(session);
  const path = statePath(options.bundle, bundle.bundleId, destination, options.state);
  return withDestinationLock(path, bundle.bundleId, destination, 'import', () =>
    importLocked(session, options, bundle, destination, path, { started, progress, logger, signal }),
  );
}

async function importLocked(
  session: Session,
  options: ImportOptions,
  bundle: LoadedBundle,
  destination: DestinationKey,
  path: string,
  run: { started: number; progress: ProgressSink; logger: Logger; signal: AbortSignal | undefined },
): Promise<ImportReport> {
  const { started, progress, logger, signal } = run;
  const resuming = await ImportJournal.exists(path);
  const journal = await ImportJournal.open(path, bundle.bundleId, destination);

  progress({
    type: 'phase',
    phase: 'plan',
    message: `planning against ${destination.cloud} (project ${destination.project.name})`,
  });
  const gathered = await planWithFacts(session, bundle, options.mapping ?? {}, signal);
  let plan = gathered.plan;
  if (options.savedPlan) {
    const ours = Object.entries(journal.entries).filter(
      ([, e]) => e.status === 'created' || e.status === 'adopted' || e.status === 'creating',
    );
    checkSavedPlan(options.savedPlan, plan, resuming, new Set(ours.map(([key]) => key)));
  }
  if (resuming) plan = relaxQuotaForResume(plan);
  if (!plan.ok) throw new PreflightError(plan);

  const planned = new Map(plan.nodes.map((n) => [n.key, n]));
  const nodes = new Map(bundle.graph.nodes.map((n) => [n.key, n]));
  for (const p of plan.nodes) {
    const entry = entryForPlanned(p, journal.get(p.key));
    if (entry) await journal.set(p.key, entry);
  }

  const warnings: string[] = [];
  const caps = await destinationCaps(session, gathered.facts);
  const ctx: ImportContext = {
    session,
    bundleId: bundle.bundleId,
    journal,
    reader: bundle.reader,
    nodes,
    plan: planned,
    documents: bundle.documents,
    caps,
    ...(resuming
      ? {}
      : { nothingEarlier: await firstRunProbe(session, bundle, destination, caps, nodes, options, signal) }),
    progress,
    logger,
    ...(signal ? { signal } : {}),
    warn: (key, message) => {
      warnings.push(message);
      progress({ type: 'message', level: 'warning', message });
      logger.warn(`${key}: ${message}`);
    },
  };

  const graph = new Graph<GraphNode>();
  for (const n of bundle.graph.nodes) if (isApplied(planned.get(n.key))) graph.add(n.key, n);
  for (const n of bundle.graph.nodes) {
    if (!graph.has(n.key)) continue;
    for (const d of n.dependsOn) if (graph.has(d)) graph.depend(n.key, d);
  }
  progress({
    type: 'phase',
    phase: 'apply',
    message: `creating ${graph.size} resources (${plan.totals.map} mapped, ${plan.totals.reuse} reused, ${plan.totals.merge} merged)`,
  });
  // Data goes first and is verified as it is uploaded: nothing else starts until every upload
  // is in, so a damaged chunk stops the import before anything else exists, and what its
  // upload had made is removed again.
  const damaged = new AbortController();
  const outcomes = await walkGraph(
    graph,
    async (key, node, release) => {
      try {
        await applyNode({ ...ctx, dataSent: release }, key, node);
      } catch (err) {
        if (err instanceof BundleIntegrityError) damaged.abort();
        throw err;
      }
    },
    {
      concurrency: options.apiConcurrency ?? 8,
      signal: signal ? AbortSignal.any([signal, damaged.signal]) : damaged.signal,
      limitOf: (key) =>
        DATA_KINDS.has(nodes.get(key)?.kind ?? '')
          ? { name: 'data', limit: options.dataConcurrency ?? 2 }
          : undefined,
      first: (key) => DATA_KINDS.has(nodes.get(key)?.kind ?? ''),
    },
  );
  if (damaged.signal.aborted) await refuseDamaged(ctx, bundle, outcomes);
  if (signal?.aborted)
    throw new InterruptedError(
      `interrupted: the journal ${path} holds everything created so far; run the same command again to resume`,
    );

  // Temporary images of volumes whose creation was resumed are not needed any more.
  await removeTemporaryImages(session, bundle.bundleId, signal);

  const report: ImportReport = {
    bundleId: bundle.bundleId,
    destination,
    statePath: path,
    outcome: 'complete',
    nodes: [],
    idMap: {},
    floatingIps: [],
    verification: [],
    warnings,
    seconds: 0,
  };
  for (const n of bundle.graph.nodes) {
    const p = planned.get(n.key);
    const entry = journal.get(n.key);
    const outcome = outcomes.get(n.key);
    const status: ImportedNode['status'] =
      outcome?.status === 'skipped'
        ? 'skipped'
        : outcome?.status === 'failed'
          ? 'failed'
          : entry?.extra?.['complete'] === false
            ? 'pending'
            : (entry?.status ?? 'pending');
    if (status === 'failed' || status === 'skipped' || status === 'pending' || status === 'creating')
      report.outcome = 'partial';
    const message =
      outcome?.status === 'failed'
        ? outcome.message
        : outcome?.status === 'skipped'
          ? `skipped: ${outcome.because.join(', ')} did not finish`
          : undefined;
    report.nodes.push({
      key: n.key,
      kind: n.kind,
      name: n.name,
      action: p?.action ?? 'create',
      status,
      ...(entry?.targetId ? { targetId: entry.targetId } : {}),
      ...(message ? { message } : {}),
    });
    if (entry?.targetId && status !== 'failed') report.idMap[n.sourceId] = entry.targetId;
    if (n.kind === 'network.floating-ip' && entry?.extra?.['address']) {
      report.floatingIps.push({
        source: text(entry.extra['sourceAddress'], n.name ?? ''),
        destination: text(entry.extra['address'], ''),
      });
    }
  }
  progress({ type: 'phase', phase: 'verify', message: 'verifying what was created' });
  report.verification = await verifyImport(ctx, bundle.graph);
  if (report.verification.some((c) => !c.ok)) report.outcome = 'partial';
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/**
 * Before anything is created: every blob is present at its recorded size, and every document
 * and data manifest matches its SHA-256. Data chunks are verified as they are uploaded (see
 * `uploadNodeData`), so their bytes are read once, not twice.
 */
async function checkBundleIntegrity(reader: BundleReader, signal?: AbortSignal): Promise<void> {
  const report = await verifyBundle(reader, { chunkDigests: false, ...(signal ? { signal } : {}) });
  if (report.problems.length === 0) return;
  const shown = report.problems
    .slice(0, 3)
    .map((p) => `${p.problem} ${p.digest} (${p.path})`)
    .join('; ');
  const more = report.problems.length > 3 ? `; and ${report.problems.length - 3} more` : '';
  throw new BundleIntegrityError(
    `the bundle ${reader.path} is damaged, so nothing was imported: ${report.problems.length} of ${report.blobs} blobs are missing or corrupt: ${shown}${more}`,
    {
      hint: 'Run `downpour verify` on it for the full list; copy the bundle again from where it was exported, or run the export again into the same bundle.',
      details: { problems: report.problems.slice(0, 20) },
    },
  );
}

export { IN_FLIGHT_MS };

/** Milliseconds to wait before deciding that an intent's create never happened: until it is IN_FLIGHT_MS old. */
export function inFlightFor(entry: JournalEntry | undefined, now: number): number {
  if (entry?.status !== 'creating') return 0;
  return Math.max(0, Date.parse(entry.updatedAt) + IN_FLIGHT_MS - now);
}

/**
 * The object an earlier run made for this node, if any. When that run was killed moments after
 * asking for it, its create may land later still: it is looked for again once it has had time,
 * rather than made twice.
 */
export async function findEarlier(
  ctx: ApplyContext,
  node: GraphNode,
  doc: Record<string, unknown>,
  entry: JournalEntry | undefined,
): Promise<Created | undefined> {
  const kind = APPLIES[node.kind];
  if (!kind) return undefined;
  if (!entry && ctx.nothingEarlier?.has(node.kind)) return undefined;
  const found = await kind.find(ctx, node, doc, entry);
  const wait = inFlightFor(entry, Date.now());
  if (found || wait === 0) return found;
  ctx.logger.debug(
    `${node.key}: asked for moments ago by a run that was stopped; looking again in ${wait} ms`,
  );
  await sleep(wait, ctx.signal);
  return kind.find(ctx, node, doc, entry);
}

/**
 * A data chunk did not match its digest while it was uploaded. Its upload never completed
 * (the reader holds back a chunk's last bytes until they match); the image it went to is
 * deleted and forgotten, so what remains is exactly what the journal lists.
 */
async function refuseDamaged(
  ctx: ImportContext,
  bundle: LoadedBundle,
  outcomes: Map<string, NodeOutcome>,
): Promise<never> {
  const failures = [...outcomes].filter(
    (entry): entry is [string, NodeOutcome & { status: 'failed' }] =>
      entry[1].status === 'failed' && entry[1].error instanceof BundleIntegrityError,
  );
  const left: string[] = [];
  for (const [key] of failures) {
    const entry = ctx.journal.get(key);
    const kind = entry ? APPLIES[entry.kind] : undefined;
    try {
      if (entry?.targetId && kind) await kind.remove(ctx, entry);
      if (entry) await ctx.journal.remove(key);
    } catch (err) {
      left.push(`${key} (${errorMessage(err)})`);
    }
  }
  await removeTemporaryImages(ctx.session, bundle.bundleId, ctx.signal);
  const created = Object.values(ctx.journal.entries).filter(
    (e) => (e.status === 'created' || e.status === 'adopted') && e.targetId,
  ).length;
  const problems = failures.map(([, o]) => o.message);
  const what = `${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`;
  const kept = left.length
    ? ` Could not remove what the damaged upload made (it stays in the journal): ${left.join(', ')}.`
    : '';
  throw new BundleIntegrityError(
    created === 0
      ? `the bundle ${bundle.reader.path} is damaged, so nothing was imported: ${what}.${kept}`
      : `the bundle ${bundle.reader.path} is damaged, so the import stopped before creating what depends on data: ${what}. ${created} resources created before it was found are journalled.${kept}`,
    {
      hint:
        created === 0
          ? 'Run `downpour verify` on it for the full list; copy the bundle again from where it was exported, or run the export again into the same bundle.'
          : 'Import an intact copy of the bundle with the same command to carry on from them, or run `downpour destroy` to remove them.',
      details: { problems: problems.slice(0, 20) },
    },
  );
}

/** Temporary images (of volumes) of this bundle, once no volume is being made from them. */
async function removeTemporaryImages(
  session: Session,
  bundleId: string,
  signal?: AbortSignal,
): Promise<void> {
  for await (const img of images.list(
    session,
    { tag: ['downpour:temporary', `downpour:bundle=${bundleId}`], owner: session.project.id },
    signal ? { signal } : {},
  )) {
    await orUndefined(() => images.remove(session, img.id));
  }
}

/** One node: adopt what an earlier run made, or create it; journal every step. */
async function applyNode(ctx: ImportContext, key: string, node: GraphNode): Promise<void> {
  const kind = APPLIES[node.kind];
  if (!kind) throw new DownpourError('E_KIND', ExitCode.unexpected, `Downpour cannot create ${node.kind}`);
  const doc = ctx.documents.get(key) ?? {};
  const entry = ctx.journal.get(key);
  // Merged into an object of the destination's own: the entry keeps saying so, and what was added is in `extra`.
  const merging = ctx.plan.get(key)?.action === 'merge';
  if (
    (entry?.status === 'created' || entry?.status === 'adopted' || (merging && entry?.status === 'merged')) &&
    entry.extra?.['complete'] === true
  )
    return;
  let existing: Created | undefined;
  let adopted = false;
  if (entry?.targetId && (entry.status === 'created' || entry.status === 'adopted')) {
    existing = { id: entry.targetId, ...(entry.extra ? { extra: entry.extra } : {}) };
    adopted = entry.status === 'adopted';
  } else {
    existing = await findEarlier(ctx, node, doc, entry);
    if (existing) {
      adopted = true;
      await ctx.journal.set(key, {
        kind: node.kind,
        status: 'adopted',
        targetId: existing.id,
        extra: { ...existing.extra, complete: false },
      });
    }
  }
  if (!existing && !merging) await ctx.journal.set(key, { kind: node.kind, status: 'creating' });
  const record = async (c: Created) => {
    await ctx.journal.set(key, {
      kind: node.kind,
      status: merging ? 'merged' : 'created',
      targetId: c.id,
      extra: { ...c.extra, complete: false },
    });
  };
  try {
    const done = await kind.create(ctx, node, doc, record, existing);
    await ctx.journal.set(key, {
      kind: node.kind,
      status: merging ? 'merged' : adopted ? 'adopted' : 'created',
      targetId: done.id,
      extra: { ...done.extra, complete: true },
    });
  } catch (err) {
    const current = ctx.journal.get(key);
    if (current?.targetId) await ctx.journal.update(key, { error: errorMessage(err) });
    else await ctx.journal.set(key, { kind: node.kind, status: 'failed', error: errorMessage(err) });
    throw err;
  }
}

/**
 * The journal entry of a node that the plan maps, reuses or merges, given what an earlier run
 * of this import left for it; undefined when it stays as it is.
 */
export function entryForPlanned(
  p: PlannedNode,
  current: JournalEntry | undefined,
): Omit<JournalEntry, 'updatedAt'> | undefined {
  if (p.action === 'create' || !p.target) return undefined;
  // What an earlier run of this import created stays ours, even if it now looks reusable.
  if (current?.status === 'created' || current?.status === 'adopted') return undefined;
  // An earlier run asked for it and was killed before the answer was journalled: the object it
  // now finds to reuse (a keypair of the same name and key) is the one that run made, so ours.
  if (current?.status === 'creating' && p.action === 'reuse')
    return { kind: p.kind, status: 'adopted', targetId: p.target.id, extra: { complete: true } };
  const status: EntryStatus = p.action === 'map' ? 'mapped' : p.action === 'reuse' ? 'reused' : 'merged';
  if (current?.status === status && current.targetId === p.target.id) return undefined;
  return { kind: p.kind, status, targetId: p.target.id };
}

/** A saved plan is applied only to the bundle and destination it was made for, and only if nothing it relied on moved. */
function checkSavedPlan(saved: Plan, fresh: Plan, resuming: boolean, ours: ReadonlySet<string>): void {
  const stale = (why: string) =>
    new DownpourError('E_STALE_PLAN', ExitCode.preflight, `the saved plan no longer applies: ${why}`, {
      hint: 'Run `downpour plan` again, review it, and import with the new plan.',
    });
  if (saved.bundleId !== fresh.bundleId || saved.graphDigest !== fresh.graphDigest)
    throw stale('it was made for another bundle (or an older export of it)');
  if (
    saved.destination.project.id !== fresh.destination.project.id ||
    saved.destination.authUrl !== fresh.destination.authUrl
  ) {
    throw stale(`it was made for project ${saved.destination.project.name} at ${saved.destination.authUrl}`);
  }
  if (!resuming && saved.factsDigest !== fresh.factsDigest)
    throw stale(
      'the destination changed since the plan was made (flavors, networks, images, quotas or names)',
    );
  const differs = fresh.nodes.find((n) => {
    // What an earlier run of this import created may now look reusable (its keypair): it stays ours.
    if (ours.has(n.key)) return false;
    const s = saved.nodes.find((x) => x.key === n.key);
    return !s || s.action !== n.action || s.target?.id !== n.target?.id;
  });
  if (differs)
    throw stale(
      `${differs.key} would now be handled differently (${differs.action}${differs.target ? ` -> ${differs.target.id}` : ''})`,
    );
}

/** A resumed import already holds part of its quota: the cloud checks the rest at each create. */
function relaxQuotaForResume(plan: Plan): Plan {
  const findings = plan.findings.map((f) =>
    f.severity === 'error' && /QUOTA/i.test(f.code)
      ? {
          ...f,
          severity: 'warning' as const,
          message: `${f.message} (resumed import: resources created earlier already count against it)`,
        }
      : f,
  );
  return { ...plan, findings, ok: !findings.some((f) => f.severity === 'error') };
}
