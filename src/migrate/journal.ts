import { createHash, randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DownpourError, ExitCode } from '../core/errors.js';
import { ensureDir, writeFileAtomic } from '../core/fs-atomic.js';

export type { EntryStatus, JournalEntry } from '../kinds/apply/context.js';
import type { JournalEntry } from '../kinds/apply/context.js';

export interface DestinationKey {
  cloud: string;
  authUrl: string;
  region: string | undefined;
  project: { id: string; name: string };
}

export interface ImportStateFile {
  stateVersion: 1;
  bundleId: string;
  destination: DestinationKey;
  /** Stays the same for the life of this state; `serial` grows with every write (Terraform's lineage and serial). */
  lineage: string;
  serial: number;
  startedAt: string;
  updatedAt: string;
  entries: Record<string, JournalEntry>;
}

/** One state file per (bundle, destination): beside the bundle by default, since a bundle may be a read-only .tar. */
export function statePath(
  bundle: string,
  bundleId: string,
  destination: DestinationKey,
  explicit?: string,
): string {
  const key = createHash('sha256')
    .update(`${destination.authUrl}\n${destination.project.id}\n${destination.region ?? ''}`)
    .digest('hex')
    .slice(0, 12);
  const name = `${bundleId}-${key}.json`;
  if (explicit) return explicit.endsWith('.json') ? explicit : join(explicit, name);
  return join(`${bundle.replace(/\/+$/, '')}.state`, name);
}

/**
 * The import journal: source key -> destination id, written atomically (temp file, fsync,
 * rename, fsync of the folder) after every change, so a kill at any moment loses nothing that
 * was created. Writes are serialised; readers see the latest in memory.
 */
export class ImportJournal {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private state: ImportStateFile,
  ) {}

  static async open(path: string, bundleId: string, destination: DestinationKey): Promise<ImportJournal> {
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const now = new Date().toISOString();
    if (text === undefined) {
      const fresh: ImportStateFile = {
        stateVersion: 1,
        bundleId,
        destination,
        lineage: randomUUID(),
        serial: 0,
        startedAt: now,
        updatedAt: now,
        entries: {},
      };
      return new ImportJournal(path, fresh);
    }
    let state: ImportStateFile;
    try {
      state = JSON.parse(text) as ImportStateFile;
    } catch {
      throw new DownpourError(
        'E_STATE_CORRUPT',
        ExitCode.usage,
        `the import state ${path} is not valid JSON`,
        {
          hint: 'Restore it from a copy; without it Downpour can still adopt what it created by provenance tags, but not rules merged into default groups.',
        },
      );
    }
    if (
      state.stateVersion !== 1 ||
      state.bundleId !== bundleId ||
      state.destination?.project?.id !== destination.project.id
    ) {
      throw new DownpourError(
        'E_STATE_MISMATCH',
        ExitCode.usage,
        `the import state ${path} belongs to another bundle or destination`,
        {
          hint: 'Pass --state to choose another state file.',
        },
      );
    }
    return new ImportJournal(path, state);
  }

  static async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }

  get lineage(): string {
    return this.state.lineage;
  }

  get serial(): number {
    return this.state.serial;
  }

  get entries(): Readonly<Record<string, JournalEntry>> {
    return this.state.entries;
  }

  get(key: string): JournalEntry | undefined {
    return this.state.entries[key];
  }

  targetOf(key: string): string | undefined {
    const e = this.state.entries[key];
    return e && e.status !== 'failed' && e.status !== 'creating' ? e.targetId : undefined;
  }

  /** Record a change and write it durably before returning. */
  async set(key: string, entry: Omit<JournalEntry, 'updatedAt'>): Promise<void> {
    this.state.entries[key] = { ...entry, updatedAt: new Date().toISOString() };
    await this.flush();
  }

  async update(key: string, change: Partial<Omit<JournalEntry, 'updatedAt'>>): Promise<void> {
    const current = this.state.entries[key];
    if (!current) throw new Error(`no journal entry for ${key}`);
    this.state.entries[key] = { ...current, ...change, updatedAt: new Date().toISOString() };
    await this.flush();
  }

  async remove(key: string): Promise<void> {
    delete this.state.entries[key];
    await this.flush();
  }

  private flush(): Promise<void> {
    const write = async () => {
      this.state.serial += 1;
      this.state.updatedAt = new Date().toISOString();
      await ensureDir(join(this.path, '..'));
      await writeFileAtomic(this.path, `${JSON.stringify(this.state, null, 2)}\n`);
    };
    this.writing = this.writing.then(write, write);
    return this.writing;
  }
}
