/** The data-path, memory and re-export figures, derived from the samples (pure). */
import {
  atLeast,
  atMost,
  kibToMB,
  megabytes,
  MiB,
  notMeasured,
  sizeName,
  throughput,
  type Figure,
} from './figures.js';
import type { RequestCounts } from './requests.js';
import { failures, medianOk, type Sample, type Samples } from './samples.js';

export interface SizeResult {
  mib: number;
  export: Samples;
  import: Samples;
}

/** The second export of the smallest image into its bundle. */
export type Reexport =
  | { ok: false; failure: string }
  | {
      ok: true;
      dataBytes: number;
      downloadedBytes: number;
      reusedBytes: number;
      imageDataGets: number;
      requests: RequestCounts;
      seconds: number;
    };

export function reexportFigure(reexport: Reexport | undefined, mib: number | undefined): Figure[] {
  if (mib === undefined) return [];
  const base = {
    family: 'requests' as const,
    figure: `second export of the unchanged ${sizeName(mib)} image into its bundle`,
    ratioMeaning: '',
    target: '0 data bytes',
  };
  if (!reexport) return [notMeasured(base, 'the first export failed')];
  if (!reexport.ok) return [notMeasured(base, reexport.failure)];
  const { downloadedBytes: downloaded, imageDataGets: gets } = reexport;
  const total = reexport.requests.total;
  return [
    {
      ...base,
      downpour: `${downloaded} B downloaded, ${gets} image-data GETs, ${total} requests`,
      competitor: '—',
      ratio: undefined,
      met: downloaded === 0 && gets === 0,
      note: `${reexport.reusedBytes} B reused from the bundle`,
    },
  ];
}

export function speedFigures(results: readonly SizeResult[]): Figure[] {
  const figures: Figure[] = [];
  for (const r of results) {
    const bytes = r.mib * MiB;
    for (const [direction, samples, rivals] of [
      [
        'export',
        r.export,
        [
          ['curl', 'curl download', 0.9],
          ['openstack', 'openstack image save', 1.0],
        ],
      ],
      [
        'import',
        r.import,
        [
          ['curl', 'curl -T upload', 0.9],
          ['openstack', 'openstack image create --file', 1.0],
        ],
      ],
    ] as const) {
      for (const [rival, rivalName, target] of rivals) {
        const base = {
          family: 'data path' as const,
          figure: `${direction} ${sizeName(r.mib)} vs ${rivalName}`,
          ratioMeaning: `${rivalName} time / Downpour time`,
          target: `≥ ${target.toFixed(1)}`,
        };
        const dp = medianOk(samples.get('downpour'));
        const other = medianOk(samples.get(rival));
        if (!samples.size) {
          figures.push(notMeasured(base, 'no bundle to import: every export failed'));
          continue;
        }
        const ratio = dp !== undefined && other !== undefined ? other / dp : undefined;
        const problems = [failures(samples.get('downpour')), failures(samples.get(rival))]
          .filter(Boolean)
          .join('; ');
        figures.push({
          ...base,
          downpour: dp === undefined ? 'failed' : throughput(bytes, dp),
          competitor: other === undefined ? 'failed' : throughput(bytes, other),
          ratio,
          met: atLeast(ratio, target),
          ...(problems ? { note: problems } : {}),
        });
      }
    }
  }
  return figures;
}

const peak = (samples: Sample[] | undefined) => {
  const values = (samples ?? [])
    .filter((s) => s.ok && s.peakRssKiB !== undefined)
    .map((s) => s.peakRssKiB as number);
  return values.length ? Math.max(...values) : undefined;
};

export function memoryFigures(results: readonly SizeResult[]): Figure[] {
  const figures: Figure[] = [];
  for (const direction of ['export', 'import'] as const) {
    for (const r of results) {
      const samples = r[direction];
      const dp = peak(samples.get('downpour'));
      figures.push({
        family: 'memory',
        figure: `peak RSS of ${direction} ${sizeName(r.mib)}`,
        downpour: megabytes(dp),
        competitor: `curl ${megabytes(peak(samples.get('curl')))}, openstack ${megabytes(peak(samples.get('openstack')))}`,
        ratio: undefined,
        ratioMeaning: '',
        target: '≤ 200 MB',
        met: dp === undefined ? undefined : kibToMB(dp) <= 200,
      });
    }
    const small = results[0];
    const large = results[results.length - 1];
    if (small && large && large !== small) {
      const a = peak(small[direction].get('downpour'));
      const b = peak(large[direction].get('downpour'));
      const ratio = a !== undefined && b !== undefined ? b / a : undefined;
      figures.push({
        family: 'memory',
        figure: `peak RSS of ${direction}: ${sizeName(large.mib)} / ${sizeName(small.mib)}`,
        downpour: `${megabytes(b)} / ${megabytes(a)}`,
        competitor: '—',
        ratio,
        ratioMeaning: 'RSS(large) / RSS(small)',
        target: '≤ 1.2',
        met: atMost(ratio, 1.2),
      });
    }
  }
  return figures;
}
