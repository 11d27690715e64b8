/** One row of the results table, and the small formatting helpers every family shares. */

export type Family = 'data path' | 'memory' | 'orchestration' | 'requests' | 'parallel transfers';

export interface Figure {
  family: Family;
  /** What is compared, e.g. "export 512 MiB vs curl download". */
  figure: string;
  /** Downpour's value, formatted ("4.21 s (121.6 MiB/s)"). */
  downpour: string;
  /** The competitor's value, formatted, or "—". */
  competitor: string;
  /** The ratio the target is about, or undefined when there is none or the run failed. */
  ratio: number | undefined;
  /** How the ratio is computed, e.g. "competitor time / Downpour time". */
  ratioMeaning: string;
  /** The target, e.g. "≥ 0.9"; "—" when there is none. */
  target: string;
  /** undefined: no target, or not measured. */
  met: boolean | undefined;
  /** Why a figure is missing, or what to know when reading it. */
  note?: string;
}

export const MiB = 1024 * 1024;

export function seconds(s: number | undefined): string {
  return s === undefined ? 'n/a' : `${s.toFixed(2)} s`;
}

export function throughput(bytes: number, s: number | undefined): string {
  return s === undefined ? 'n/a' : `${seconds(s)} (${(bytes / MiB / s).toFixed(1)} MiB/s)`;
}

/** GNU time's KiB as decimal megabytes, the unit of the 200 MB target. */
export function megabytes(kib: number | undefined): string {
  return kib === undefined ? 'n/a' : `${((kib * 1024) / 1e6).toFixed(0)} MB`;
}

export function kibToMB(kib: number): number {
  return (kib * 1024) / 1e6;
}

export function sizeName(mib: number): string {
  return mib >= 1024 && mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}

/** A row that could not be measured: it says why, and claims nothing. */
export function notMeasured(
  base: Omit<Figure, 'downpour' | 'competitor' | 'ratio' | 'met'>,
  why: string,
): Figure {
  return { ...base, downpour: 'not run', competitor: 'not run', ratio: undefined, met: undefined, note: why };
}

export function atLeast(ratio: number | undefined, target: number): boolean | undefined {
  return ratio === undefined ? undefined : ratio >= target;
}

export function atMost(ratio: number | undefined, target: number): boolean | undefined {
  return ratio === undefined ? undefined : ratio <= target;
}
