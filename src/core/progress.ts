/**
 * Progress of long work, as events. The library only emits; the CLI decides how to show them
 * (a live display on a terminal, nothing when piped or with --json).
 */
export type ProgressEvent =
  | { type: 'phase'; phase: string; message: string }
  | { type: 'item-start'; id: string; label: string; totalBytes: number | undefined }
  | { type: 'item-bytes'; id: string; doneBytes: number }
  | { type: 'item-end'; id: string; outcome: 'done' | 'skipped' | 'failed'; message?: string }
  | { type: 'message'; level: 'info' | 'warning'; message: string };

export type ProgressSink = (event: ProgressEvent) => void;

export const noProgress: ProgressSink = () => {};

/** Rate and remaining time from a start time and bytes so far. */
export function rateAndEta(
  startedAt: number,
  doneBytes: number,
  totalBytes: number | undefined,
  now = Date.now(),
): { bytesPerSecond: number; etaSeconds: number | undefined } {
  const seconds = Math.max((now - startedAt) / 1000, 0.001);
  const bytesPerSecond = doneBytes / seconds;
  const etaSeconds =
    totalBytes !== undefined && bytesPerSecond > 0
      ? Math.max(0, (totalBytes - doneBytes) / bytesPerSecond)
      : undefined;
  return { bytesPerSecond, etaSeconds };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
    : `${m}:${String(sec).padStart(2, '0')}`;
}
