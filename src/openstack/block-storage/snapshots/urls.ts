/** Paths relative to the Cinder endpoint. */
export const snapshots = (): string => 'snapshots';
export const snapshotsDetail = (): string => 'snapshots/detail';
export const snapshot = (id: string): string => `snapshots/${encodeURIComponent(id)}`;
