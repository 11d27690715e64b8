import type { WireDocument } from '../../common.js';

export interface Snapshot extends WireDocument {
  id: string;
  name: string | null;
  description: string | null;
  volume_id: string;
  status: string;
  /** GiB */
  size: number;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string | null;
  /** 3.41+ */
  user_id?: string;
  /** 3.14+ */
  group_snapshot_id?: string | null;
  'os-extended-snapshot-attributes:project_id'?: string;
  'os-extended-snapshot-attributes:progress'?: string;
}

export interface ListSnapshotsOptions {
  name?: string;
  status?: string;
  volume_id?: string;
  metadata?: Record<string, string>;
  limit?: number;
  sort?: string;
}

export interface CreateSnapshotInput {
  volume_id: string;
  name?: string;
  description?: string;
  metadata?: Record<string, string>;
  /**
   * Snapshot even an in-use volume. Sent only below 3.66, where Cinder needs it for that;
   * from 3.66 in-use snapshots need no flag and `force: false` is refused.
   */
  force?: boolean;
}
