import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { writeFileAtomic } from '../bundle/index.js';
import type { DataInfo } from '../kinds/model.js';
import * as images from '../openstack/image/images/index.js';
import * as volumes from '../openstack/block-storage/volumes/index.js';
import * as snapshots from '../openstack/block-storage/snapshots/index.js';
import { orUndefined } from '../openstack/common.js';
import type { Session } from '../openstack/session/session.js';

export type TemporaryType = 'image' | 'volume' | 'snapshot';

export interface Temporary {
  type: TemporaryType;
  id: string;
  /** The data key it serves. */
  purpose: string;
}

/** Tag and metadata values that mark a source object as one of this bundle's temporaries. */
export const temporaryMarks = (bundleId: string) => ({
  name: (purpose: string) => `downpour-tmp-${bundleId.slice(0, 8)}-${purpose}`.slice(0, 250),
  tags: ['downpour:temporary', `downpour:bundle=${bundleId}`],
  metadata: { 'downpour:temporary': 'true', 'downpour:bundle': bundleId },
  namePrefix: `downpour-tmp-${bundleId.slice(0, 8)}-`,
});

/** A capture whose data is all in the bundle's ingest area, under `key`. */
export interface FinishedCapture {
  key: string;
  dataInfo: DataInfo;
}

interface JournalFile {
  bundleId: string;
  temporaries: Temporary[];
  /** Servers this export stopped (capture mode "stop") and must start again. */
  stoppedServers: string[];
  /** By purpose: captures that finished, so that a run killed after them does not capture again. */
  captured: Record<string, FinishedCapture>;
}

/**
 * What an export has created in the source, journalled before it is used, so that a run that
 * was killed can reuse a half-finished capture or remove it; and which captures finished, so
 * that it does not make them again. The journal lives in the bundle's ingest area and
 * vanishes with it on commit.
 */
export class TemporaryJournal {
  private constructor(
    private readonly path: string,
    private state: JournalFile,
  ) {}

  static async open(bundleDir: string, bundleId: string): Promise<TemporaryJournal> {
    const path = join(bundleDir, 'ingest', 'export-temporaries.json');
    let state: JournalFile = { bundleId, temporaries: [], stoppedServers: [], captured: {} };
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<JournalFile>;
      if (parsed.bundleId === bundleId && Array.isArray(parsed.temporaries)) {
        state = {
          bundleId,
          temporaries: parsed.temporaries,
          stoppedServers: parsed.stoppedServers ?? [],
          captured: parsed.captured ?? {},
        };
      }
    } catch {
      // no journal yet
    }
    return new TemporaryJournal(path, state);
  }

  get entries(): readonly Temporary[] {
    return this.state.temporaries;
  }

  get stoppedServers(): readonly string[] {
    return this.state.stoppedServers;
  }

  /** The finished capture for `purpose`, if a run got that far. */
  capturedFor(purpose: string): FinishedCapture | undefined {
    return this.state.captured[purpose];
  }

  async markCaptured(purpose: string, capture: FinishedCapture): Promise<void> {
    this.state.captured[purpose] = capture;
    await this.save();
  }

  forPurpose(purpose: string): Temporary[] {
    return this.state.temporaries.filter((t) => t.purpose === purpose);
  }

  async add(t: Temporary): Promise<void> {
    this.state.temporaries.push(t);
    await this.save();
  }

  async drop(id: string): Promise<void> {
    this.state.temporaries = this.state.temporaries.filter((t) => t.id !== id);
    await this.save();
  }

  async markStopped(serverId: string, stopped: boolean): Promise<void> {
    const rest = this.state.stoppedServers.filter((s) => s !== serverId);
    this.state.stoppedServers = stopped ? [...rest, serverId] : rest;
    await this.save();
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(this.state, null, 2));
  }
}

/** Delete one temporary and wait until it is gone (a volume cannot go while its snapshot... and so on). */
export async function removeTemporary(session: Session, t: Temporary, signal?: AbortSignal): Promise<void> {
  const opts = signal ? { signal } : {};
  switch (t.type) {
    case 'image':
      await orUndefined(() => images.remove(session, t.id, opts));
      return;
    case 'volume': {
      const v = await orUndefined(() => volumes.get(session, t.id, opts));
      if (!v) return;
      // A volume still uploading cannot be deleted: let it settle first.
      if (!['available', 'error', 'in-use'].includes(v.status)) {
        await volumes
          .waitForVolumeStatus(session, t.id, ['available', 'error'], { ...opts, timeoutMs: 600_000 })
          .catch(() => undefined);
      }
      await orUndefined(() => volumes.remove(session, t.id, opts));
      await volumes.waitForVolumeDeleted(session, t.id, opts);
      return;
    }
    case 'snapshot': {
      const s = await orUndefined(() => snapshots.get(session, t.id, opts));
      if (!s) return;
      if (s.status === 'creating')
        await snapshots
          .waitForSnapshotStatus(session, t.id, ['available', 'error'], opts)
          .catch(() => undefined);
      await orUndefined(() => snapshots.remove(session, t.id, opts));
      await snapshots.waitForSnapshotDeleted(session, t.id, opts);
      return;
    }
  }
}

/**
 * Find every temporary of this bundle in the source, journalled or not (a run may have died
 * between a create call and its journal entry): by tag and name for images, by metadata and
 * name for volumes and snapshots. Never another bundle's.
 */
export async function findTemporaries(
  session: Session,
  bundleId: string,
  signal?: AbortSignal,
): Promise<Temporary[]> {
  const marks = temporaryMarks(bundleId);
  const opts = signal ? { signal } : {};
  const found: Temporary[] = [];
  const purposeOf = (name: string | null | undefined) =>
    name?.startsWith(marks.namePrefix) ? name.slice(marks.namePrefix.length) : '';
  for await (const img of images.list(session, { owner: session.project.id }, opts)) {
    const tagged = img.tags.includes(`downpour:bundle=${bundleId}`);
    if (tagged || img.name?.startsWith(marks.namePrefix))
      found.push({ type: 'image', id: img.id, purpose: purposeOf(img.name) });
  }
  for await (const vol of volumes.list(session, {}, opts)) {
    if (vol.metadata?.['downpour:bundle'] === bundleId || vol.name?.startsWith(marks.namePrefix)) {
      found.push({ type: 'volume', id: vol.id, purpose: purposeOf(vol.name) });
    }
  }
  for await (const snap of snapshots.list(session, {}, opts)) {
    if (snap.metadata?.['downpour:bundle'] === bundleId || snap.name?.startsWith(marks.namePrefix)) {
      found.push({ type: 'snapshot', id: snap.id, purpose: purposeOf(snap.name) });
    }
  }
  return found;
}

/** The order the cloud accepts removals in: images, then volumes, then the snapshots they came from. */
const REMOVAL_ORDER: readonly TemporaryType[] = ['image', 'volume', 'snapshot'];

export function inRemovalOrder(temporaries: readonly Temporary[]): Temporary[] {
  return [...temporaries].sort((a, b) => REMOVAL_ORDER.indexOf(a.type) - REMOVAL_ORDER.indexOf(b.type));
}

/** Remove temporaries in removal order, collecting failures instead of stopping at the first. */
export async function removeTemporaries(
  session: Session,
  temporaries: readonly Temporary[],
  logger: Logger,
  signal?: AbortSignal,
): Promise<string[]> {
  const failures: string[] = [];
  for (const t of inRemovalOrder(temporaries)) {
    try {
      await removeTemporary(session, t, signal);
      logger.debug(`removed temporary ${t.type} ${t.id}`);
    } catch (err) {
      failures.push(`${t.type} ${t.id}: ${errorMessage(err)}`);
    }
  }
  return failures;
}
