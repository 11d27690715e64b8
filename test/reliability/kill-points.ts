/**
 * Kill -9 at a chosen moment, then run the same command again. Downpour runs through the fault
 * proxy, which holds one chosen request at a chosen stage (never sent on, answered by the cloud
 * but the answer kept back, half a body) and says so; the process is killed with SIGKILL while it
 * waits there. A moment is picked by its request, not by time, so every run of the test kills in
 * the same phase, however fast the cloud is that day.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BundleReader } from '../../src/bundle/index.js';
import { errorMessage } from '../../src/core/errors.js';
import type { GraphNode } from '../../src/kinds/model.js';
import type { ImportStateFile } from '../../src/migrate/journal.js';
import * as snapshots from '../../src/openstack/block-storage/snapshots/index.js';
import * as volumes from '../../src/openstack/block-storage/volumes/index.js';
import * as images from '../../src/openstack/image/images/index.js';
import type { Session } from '../../src/openstack/session/session.js';
import type { FaultProxy, HoldStage, ProxiedRequest } from '../support/fault-proxy.js';
import { collect, explain, sha256Of, startDownpour, type KillRow, type Run } from './support.js';

export interface KillPoint {
  /** The moment, in words, for the table: "Cinder made the snapshot; its answer is lost". */
  moment: string;
  stage: HoldStage;
  /** The request to hold: the first one this accepts, or the `nth`. */
  match(req: ProxiedRequest): boolean;
  nth?: number;
}

/** A request to `service` with `method` whose path (and query) matches `path`. */
export const request =
  (service: ProxiedRequest['service'], method: string, path: RegExp) => (req: ProxiedRequest) =>
    req.service === service && req.method === method && path.test(req.path);

const UUID = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\?|$)/;

/** The UUID a path ends with (`/v2/images/<id>`), if any. */
export const idIn = (path: string): string | undefined => UUID.exec(path)?.[1];

/**
 * `downpour ARGS` through `proxy`, killed with SIGKILL the moment the point's request is held.
 * Fails when the run ended before that request came (the point was never reached).
 */
export async function runAndKill(
  proxy: FaultProxy,
  point: KillPoint,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ run: Run; held: ProxiedRequest }> {
  let held: ProxiedRequest | undefined;
  let seen = 0;
  const started = startDownpour(args, options);
  proxy.holdNext({
    match: (req) => point.match(req) && ++seen === (point.nth ?? 1),
    stage: point.stage,
    onHeld(req) {
      held = req;
      started.child.kill('SIGKILL');
    },
  });
  try {
    const run = await started.done;
    if (!held || run.signal !== 'SIGKILL')
      throw new Error(`the run ended before the kill point "${point.moment}":\n${explain(run)}`);
    return { run, held };
  } finally {
    proxy.holdNext(undefined);
    proxy.dropHeld();
  }
}

/**
 * Try every point with `trial` (kill, run again, check), in `lanes` parallel lanes (each point
 * is told its lane, to use that lane's proxy). A point that fails is recorded and the sweep
 * goes on, so that the table counts every point; the failures are returned for the test.
 */
export async function sweep<P extends { moment: string }>(
  command: KillRow['command'],
  points: readonly P[],
  rows: KillRow[],
  trial: (point: P, row: KillRow, lane: number) => Promise<void>,
  lanes = 1,
): Promise<string[]> {
  const mine = points.map((p): KillRow => ({ command, moment: p.moment, killed: false, passed: false }));
  rows.push(...mine);
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, points.length) }, async (_, lane) => {
      for (let i = next++; i < points.length; i = next++) {
        const [point, row] = [points[i] as P, mine[i] as KillRow];
        try {
          await trial(point, row, lane);
          row.passed = true;
        } catch (err) {
          row.failure = errorMessage(err).slice(0, 2000);
          failures.push(`${command}, killed when ${point.moment}: ${row.failure}`);
        }
      }
    }),
  );
  return failures;
}

// ---------------------------------------------------------------------------------------------
// What the kill tests look at: the runs' journals (to pick a moment), and the witnesses.

/** Ids of the temporaries of `type` that an export journalled in its bundle's ingest area. */
export function temporariesJournalled(bundle: string, type: string): string[] {
  try {
    const file = join(bundle, 'ingest', 'export-temporaries.json');
    const journal = JSON.parse(readFileSync(file, 'utf8')) as { temporaries: { type: string; id: string }[] };
    return journal.temporaries.filter((t) => t.type === type).map((t) => t.id);
  } catch {
    return [];
  }
}

/** Destination ids an import journalled for `kind`. */
export function targetsJournalled(state: string, kind: string): string[] {
  try {
    const entries = Object.values((JSON.parse(readFileSync(state, 'utf8')) as ImportStateFile).entries);
    return entries.filter((e) => e.kind === kind && e.targetId).map((e) => e.targetId as string);
  } catch {
    return [];
  }
}

/** The source's objects marked as a bundle's temporaries, by name, tag or metadata: what an export must not leave. */
export async function temporariesIn(session: Session, bundleId: string): Promise<string[]> {
  const prefix = `downpour-tmp-${bundleId.slice(0, 8)}-`;
  const ours = (name: string | null | undefined, marked: boolean) => marked || !!name?.startsWith(prefix);
  const found: string[] = [];
  for (const i of await collect(images.list(session, { owner: session.project.id })))
    if (ours(i.name, i.tags.includes(`downpour:bundle=${bundleId}`) || i['downpour:bundle'] === bundleId))
      found.push(`image ${i.name} (${i.status})`);
  for (const v of await collect(volumes.list(session)))
    if (ours(v.name, v.metadata['downpour:bundle'] === bundleId))
      found.push(`volume ${v.name} (${v.status})`);
  for (const s of await collect(snapshots.list(session)))
    if (ours(s.name, s.metadata?.['downpour:bundle'] === bundleId))
      found.push(`snapshot ${s.name} (${s.status})`);
  return found;
}

function qemuImg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-img', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`qemu-img: ${err}`))));
  });
}

/** SHA-256 of the bytes a volume holds, from the qcow2 a bundle keeps of it (converted in `dir`). */
export async function volumeDataSha256(reader: BundleReader, node: GraphNode, dir: string): Promise<string> {
  const data = node.data;
  if (!data) throw new Error(`${node.key} has no data`);
  const base = join(dir, data.digest.slice(7, 23));
  try {
    await pipeline(await reader.openData(data), createWriteStream(`${base}.qcow2`));
    await qemuImg(['convert', '-f', 'qcow2', '-O', 'raw', `${base}.qcow2`, `${base}.raw`]);
    return await sha256Of(createReadStream(`${base}.raw`));
  } finally {
    await rm(`${base}.qcow2`, { force: true });
    await rm(`${base}.raw`, { force: true });
  }
}
