/** `GET /limits` → `limits.absolute` (-1 = unlimited). */
export interface BlockStorageAbsoluteLimits extends Record<string, number | undefined> {
  maxTotalVolumes?: number;
  maxTotalSnapshots?: number;
  maxTotalVolumeGigabytes?: number;
  maxTotalBackups?: number;
  maxTotalBackupGigabytes?: number;
  totalVolumesUsed?: number;
  totalSnapshotsUsed?: number;
  totalGigabytesUsed?: number;
  totalBackupsUsed?: number;
  totalBackupGigabytesUsed?: number;
}

export interface BlockStorageLimits {
  absolute: BlockStorageAbsoluteLimits;
  rate: unknown[];
}
