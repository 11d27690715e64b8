import type { KeyedLock } from '../core/keyed-lock.js';
import type { Logger } from '../core/log.js';
import type { ProgressSink } from '../core/progress.js';
import type { BundleWriter, Descriptor } from '../bundle/index.js';
import type { Session } from '../openstack/session/session.js';
import type { DataInfo } from '../kinds/model.js';
import type { TemporaryJournal } from './temporaries.js';

/** What a capture of source data needs: shared by the capture of each data kind and the image download. */
export interface CaptureContext {
  session: Session;
  writer: BundleWriter;
  journal: TemporaryJournal;
  bundleId: string;
  progress: ProgressSink;
  logger: Logger;
  signal?: AbortSignal;
  /** Data already in the bundle from an earlier export, by source hash: reused, not downloaded again. */
  known: Map<string, { data: Descriptor; dataInfo: DataInfo }>;
  /** Bytes downloaded from the source by this run. */
  stats: { downloadedBytes: number; reusedBytes: number };
  /** Capture mode "stop": stop a server for its snapshot, start it again after. */
  stopForCapture: boolean;
  /**
   * Captures that need a server take turns, by server id: where volumes snapshot through Nova
   * (NFS and the like), Nova refuses an attached volume's snapshot while the server has a task,
   * such as its own snapshot.
   */
  serverTurns: KeyedLock;
}

export interface Captured {
  data: Descriptor;
  dataInfo: DataInfo;
}
