/**
 * Data path, memory and parallel transfers. For each size, an image of random bytes is uploaded
 * to `src`; then, side by side and interleaved:
 *   export:  downpour export  |  curl -o (GET .../file)        |  openstack image save
 *   import:  downpour import  |  curl -T (PUT into a queued image) |  openstack image create --file
 * curl is handed a token fetched beforehand (the physical limit: one HTTP transfer, nothing else);
 * Downpour and the openstack CLI authenticate, discover and check as part of their time.
 * Every import is removed before the next one, so Downpour never finds an identical image to reuse.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { ExportReport } from '../../src/migrate/export.js';
import type { ImportReport } from '../../src/migrate/import.js';
import * as images from '../../src/openstack/image/images/index.js';
import type { Session } from '../../src/openstack/session/session.js';
import { sweep } from './cloud.js';
import {
  command,
  CURL,
  downpour,
  imageEndpoint,
  openstack,
  tokenHeaderFile,
  type BenchContext,
} from './context.js';
import {
  atLeast,
  atMost,
  kibToMB,
  megabytes,
  MiB,
  notMeasured,
  seconds,
  sizeName,
  throughput,
  type Figure,
} from './figures.js';
import { cleanDst, imageDataGets } from './graph-bench.js';
import { failureOf, median, ok, sideBySide, stdoutOf, type Run } from './measure.js';
import { countRequests, serviceByOrigin, type RequestCounts } from './requests.js';

export interface Sample {
  ok: boolean;
  seconds: number;
  peakRssKiB?: number;
  failure?: string;
}

const MIN = 60_000;
const wait = { timeoutMs: 30 * MIN, intervalMs: 500, maxIntervalMs: 2_000 };

/** A generous limit for moving `mib` MiB: two minutes plus one second per MiB. */
const limitFor = (mib: number) => 2 * MIN + mib * 1_000;

async function randomFile(path: string, mib: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < mib; i++) if (!out.write(randomBytes(MiB))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

async function uploadImage(session: Session, name: string, file: string): Promise<string> {
  const size = statSync(file).size;
  const image = await images.create(session, {
    name,
    disk_format: 'raw',
    container_format: 'bare',
    visibility: 'private',
  });
  await images.upload(session, image.id, {
    open: () => createReadStream(file),
    length: size,
    replayable: true,
  });
  await images.waitForImageStatus(session, image.id, 'active', wait);
  return image.id;
}

function sampleOf(run: Run, problem?: string): Sample {
  const failure = !ok(run) ? failureOf(run) : problem;
  return {
    ok: failure === undefined,
    seconds: run.seconds,
    ...(run.peakRssKiB === undefined ? {} : { peakRssKiB: run.peakRssKiB }),
    ...(failure === undefined ? {} : { failure }),
  };
}

function fileProblem(path: string, bytes: number): string | undefined {
  try {
    const size = statSync(path).size;
    return size === bytes ? undefined : `wrote ${size} bytes, expected ${bytes}`;
  } catch {
    return 'wrote no file';
  }
}

/** The image made in dst is active and whole, then deleted. */
async function checkAndDelete(
  ctx: BenchContext,
  id: string | undefined,
  bytes: number,
): Promise<string | undefined> {
  if (!id) return 'no image id';
  const session = ctx.clouds.dst.session;
  try {
    const image = await images.get(session, id);
    return image.status === 'active' && image.size === bytes
      ? undefined
      : `image ${image.status}, ${image.size ?? 0} of ${bytes} bytes`;
  } finally {
    await images.remove(session, id).catch(() => undefined);
  }
}

type Samples = Map<string, Sample[]>;

export interface SizeResult {
  mib: number;
  export: Samples;
  import: Samples;
}

export interface DataResult {
  figures: Figure[];
  raw: Record<string, unknown>;
}

export async function dataBench(
  ctx: BenchContext,
  sizesMiB: readonly number[],
  reps: number,
): Promise<DataResult> {
  const startup = await startupBench(ctx, reps);
  const results: SizeResult[] = [];
  let reexport: Reexport | undefined;
  for (const mib of sizesMiB) {
    const r = await oneSize(ctx, mib, reps, mib === sizesMiB[0]);
    results.push(r.result);
    reexport ??= r.reexport;
  }
  return {
    figures: [
      startup.figure,
      ...speedFigures(results),
      ...memoryFigures(results),
      ...reexportFigure(reexport, sizesMiB[0]),
    ],
    raw: {
      reps,
      startup: Object.fromEntries(startup.samples),
      sizes: results.map((r) => ({
        mib: r.mib,
        export: Object.fromEntries(r.export),
        import: Object.fromEntries(r.import),
      })),
      reexport,
    },
  };
}

/**
 * What every command pays before its first request: `--version` of Downpour and of the
 * openstack CLI, side by side. It weighs most on the smallest image.
 */
async function startupBench(ctx: BenchContext, reps: number): Promise<{ figure: Figure; samples: Samples }> {
  const samples = await sideBySide<Sample>(reps, [
    {
      name: 'downpour',
      run: async (rep) => sampleOf(await downpour(ctx, ['--version'], `version-downpour-${rep}`, MIN)),
    },
    {
      name: 'openstack',
      run: async (rep) => sampleOf(await openstack(ctx, ['--version'], `version-openstack-${rep}`, MIN)),
    },
  ]);
  const dp = medianOk(samples.get('downpour'));
  const osc = medianOk(samples.get('openstack'));
  return {
    samples,
    figure: {
      family: 'data path',
      figure: 'start-up of the command line (`--version`)',
      downpour: seconds(dp),
      competitor: `openstack ${seconds(osc)}`,
      ratio: dp !== undefined && osc !== undefined ? osc / dp : undefined,
      ratioMeaning: 'openstack --version time / downpour --version time',
      target: '—',
      met: undefined,
    },
  };
}

async function oneSize(
  ctx: BenchContext,
  mib: number,
  reps: number,
  reexportAfter: boolean,
): Promise<{ result: SizeResult; reexport?: Reexport }> {
  const bytes = mib * MiB;
  const name = sizeName(mib);
  const tag = `${mib}m`;
  const source = join(ctx.workDir, `image-${tag}.raw`);
  ctx.log(`data: ${name} of random bytes, uploaded to src`);
  await randomFile(source, mib);
  const src = ctx.clouds.src.session;
  const imageId = await uploadImage(src, `${ctx.prefix}-img-${tag}`, source);
  const limit = limitFor(mib);
  let kept: string | undefined;
  let reexport: Reexport | undefined;
  try {
    const selection = join(ctx.workDir, `image-${tag}.yaml`);
    const select = await downpour(
      ctx,
      ['select', '--cloud', 'src', '--image', imageId, '-o', selection],
      `select-${tag}`,
      5 * MIN,
    );
    if (!ok(select)) throw new Error(`downpour select failed: ${failureOf(select)}`);
    const srcImages = await imageEndpoint(ctx, 'src');

    ctx.log(`data: export of ${name}, ${reps}× side by side`);
    const exportSamples = await sideBySide<Sample>(reps, [
      {
        name: 'downpour',
        run: async (rep) => {
          const bundle = join(ctx.workDir, `export-${tag}-${rep}.bundle`);
          const run = await downpour(
            ctx,
            ['export', selection, '--cloud', 'src', '-o', bundle, '--json'],
            `export-${tag}-downpour-${rep}`,
            limit,
          );
          let problem: string | undefined;
          if (ok(run)) {
            const report = JSON.parse(stdoutOf(run)) as ExportReport;
            if (report.downloadedBytes !== bytes)
              problem = `downloaded ${report.downloadedBytes} of ${bytes} bytes`;
          }
          if (ok(run) && !problem && !kept) kept = bundle;
          else rmSync(bundle, { recursive: true, force: true });
          return sampleOf(run, problem);
        },
      },
      {
        name: 'curl',
        run: async (rep) => {
          const out = join(ctx.workDir, `curl-${tag}.raw`);
          const headers = await tokenHeaderFile(ctx, 'src');
          const run = await command(
            ctx,
            [
              CURL,
              '-sS',
              '--fail',
              '--noproxy',
              '*',
              '-H',
              `@${headers}`,
              '-o',
              out,
              `${srcImages}/images/${imageId}/file`,
            ],
            `export-${tag}-curl-${rep}`,
            limit,
          );
          const sample = sampleOf(run, fileProblem(out, bytes));
          rmSync(out, { force: true });
          return sample;
        },
      },
      {
        name: 'openstack',
        run: async (rep) => {
          const out = join(ctx.workDir, `osc-${tag}.raw`);
          const run = await openstack(
            ctx,
            ['--os-cloud', 'src', 'image', 'save', '--file', out, imageId],
            `export-${tag}-openstack-${rep}`,
            limit,
          );
          const sample = sampleOf(run, fileProblem(out, bytes));
          rmSync(out, { force: true });
          return sample;
        },
      },
    ]);

    if (reexportAfter && kept) reexport = await reexportOf(ctx, selection, kept, bytes);

    const importSamples: Samples = new Map();
    if (kept) {
      const bundle = kept;
      const dstImages = await imageEndpoint(ctx, 'dst');
      ctx.log(`data: import of ${name}, ${reps}× side by side`);
      const imported = await sideBySide<Sample>(reps, [
        {
          name: 'downpour',
          run: async (rep) => {
            const state = join(ctx.workDir, `import-${tag}-${rep}.state`);
            const run = await downpour(
              ctx,
              ['import', bundle, '--cloud', 'dst', '--state', state, '--json'],
              `import-${tag}-downpour-${rep}`,
              limit,
            );
            let problem: string | undefined;
            if (ok(run)) {
              const report = JSON.parse(stdoutOf(run)) as ImportReport;
              if (report.outcome !== 'complete' || report.verification.some((v) => !v.ok))
                problem = `import ${report.outcome}, verification ${report.verification.filter((v) => !v.ok).length} failed`;
            }
            await cleanDst(ctx, bundle, state);
            rmSync(state, { recursive: true, force: true });
            return sampleOf(run, problem);
          },
        },
        {
          name: 'curl',
          run: async (rep) => {
            const queued = await images.create(ctx.clouds.dst.session, {
              name: `${ctx.prefix}-curl-${tag}-${rep}`,
              disk_format: 'raw',
              container_format: 'bare',
              visibility: 'private',
            });
            const headers = await tokenHeaderFile(ctx, 'dst');
            const run = await command(
              ctx,
              [
                CURL,
                '-sS',
                '--fail',
                '--noproxy',
                '*',
                '-H',
                `@${headers}`,
                '-H',
                'Content-Type: application/octet-stream',
                '-X',
                'PUT',
                '-T',
                source,
                `${dstImages}/images/${queued.id}/file`,
              ],
              `import-${tag}-curl-${rep}`,
              limit,
            );
            return sampleOf(run, await checkAndDelete(ctx, queued.id, bytes));
          },
        },
        {
          name: 'openstack',
          run: async (rep) => {
            const run = await openstack(
              ctx,
              [
                '--os-cloud',
                'dst',
                'image',
                'create',
                '--disk-format',
                'raw',
                '--container-format',
                'bare',
                '--private',
                '--file',
                source,
                '-f',
                'value',
                '-c',
                'id',
                `${ctx.prefix}-osc-${tag}-${rep}`,
              ],
              `import-${tag}-openstack-${rep}`,
              limit,
            );
            const id = ok(run) ? stdoutOf(run).trim() : undefined;
            const problem = await checkAndDelete(ctx, id, bytes);
            await sweep(ctx.clouds.dst, ctx.prefix, () => undefined);
            return sampleOf(run, problem);
          },
        },
      ]);
      for (const [k, v] of imported) importSamples.set(k, v);
    }
    return {
      result: { mib, export: exportSamples, import: importSamples },
      ...(reexport ? { reexport } : {}),
    };
  } finally {
    if (kept) rmSync(kept, { recursive: true, force: true });
    rmSync(source, { force: true });
    await images.remove(src, imageId).catch(() => undefined);
  }
}

type Reexport =
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

/** A second export of the unchanged image into its bundle, with --debug: nothing may be fetched. */
async function reexportOf(
  ctx: BenchContext,
  selection: string,
  bundle: string,
  bytes: number,
): Promise<Reexport> {
  const run = await downpour(
    ctx,
    ['--debug', 'export', selection, '--cloud', 'src', '-o', bundle, '--json'],
    'reexport-image',
    limitFor(bytes / MiB),
  );
  if (!ok(run)) return { ok: false, failure: failureOf(run) };
  const report = JSON.parse(stdoutOf(run)) as ExportReport;
  const counts = countRequests(run.stderrFile, serviceByOrigin(ctx.clouds.src.session.catalog), ctx.prefix);
  return {
    ok: true,
    dataBytes: report.dataBytes,
    downloadedBytes: report.downloadedBytes,
    reusedBytes: report.reusedBytes,
    imageDataGets: imageDataGets(counts),
    requests: counts,
    seconds: run.seconds,
  };
}

function reexportFigure(reexport: Reexport | undefined, mib: number | undefined): Figure[] {
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

const medianOk = (samples: Sample[] | undefined) =>
  median((samples ?? []).filter((s) => s.ok).map((s) => s.seconds));
const failures = (samples: Sample[] | undefined) =>
  [...new Set((samples ?? []).flatMap((s) => (s.failure ? [s.failure] : [])))].join('; ');

function speedFigures(results: readonly SizeResult[]): Figure[] {
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

function memoryFigures(results: readonly SizeResult[]): Figure[] {
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

// ---------------------------------------------------------------------------- parallel transfers

/**
 * Four images of `mib` MiB: one export of all four with `--parallel 4` against the same export
 * with `--parallel 1`, and for reference curl fetching the four at once against one after another.
 */
export async function parallelBench(ctx: BenchContext, mib: number, reps: number): Promise<DataResult> {
  const bytes = 4 * mib * MiB;
  const tag = `4x${mib}m`;
  const sources = [0, 1, 2, 3].map((i) => join(ctx.workDir, `parallel-${i}.raw`));
  ctx.log(`parallel: 4 images of ${sizeName(mib)} uploaded to src`);
  const src = ctx.clouds.src.session;
  const ids: string[] = [];
  try {
    for (const [i, file] of sources.entries()) {
      await randomFile(file, mib);
      ids.push(await uploadImage(src, `${ctx.prefix}-par-${i}`, file));
      rmSync(file, { force: true });
    }
    const selection = join(ctx.workDir, `parallel.yaml`);
    const select = await downpour(
      ctx,
      ['select', '--cloud', 'src', ...ids.flatMap((id) => ['--image', id]), '-o', selection],
      'select-parallel',
      5 * MIN,
    );
    if (!ok(select)) throw new Error(`downpour select failed: ${failureOf(select)}`);
    const srcImages = await imageEndpoint(ctx, 'src');
    const limit = limitFor(4 * mib);
    const exportWith = (parallel: number) => async (rep: number) => {
      const bundle = join(ctx.workDir, `parallel-${parallel}-${rep}.bundle`);
      const run = await downpour(
        ctx,
        ['export', selection, '--cloud', 'src', '-o', bundle, '--parallel', String(parallel), '--json'],
        `export-${tag}-p${parallel}-${rep}`,
        limit,
      );
      const report = ok(run) ? (JSON.parse(stdoutOf(run)) as ExportReport) : undefined;
      rmSync(bundle, { recursive: true, force: true });
      return sampleOf(
        run,
        report && report.downloadedBytes !== bytes
          ? `downloaded ${report.downloadedBytes} of ${bytes}`
          : undefined,
      );
    };
    const curls = async (together: boolean, rep: number) => {
      const headers = await tokenHeaderFile(ctx, 'src');
      const outs = ids.map((_, i) => join(ctx.workDir, `parallel-curl-${i}.raw`));
      const one = (i: number) =>
        `${CURL} -sS --fail --noproxy '*' -H @${headers} -o ${outs[i] ?? ''} ${srcImages}/images/${ids[i] ?? ''}/file`;
      const script = together
        ? `${ids.map((_, i) => `${one(i)} & p${i}=$!`).join('\n')}\n${ids.map((_, i) => `wait $p${i}`).join(' && ')}`
        : ids.map((_, i) => one(i)).join(' && ');
      const run = await command(
        ctx,
        ['/bin/bash', '-c', `set -e\n${script}`],
        `export-${tag}-curl-${together ? 'together' : 'one-by-one'}-${rep}`,
        limit,
      );
      const problem = outs.map((o) => fileProblem(o, mib * MiB)).find(Boolean);
      for (const o of outs) rmSync(o, { force: true });
      return sampleOf(run, problem);
    };
    ctx.log(`parallel: export of 4 × ${sizeName(mib)}, ${reps}× side by side`);
    const samples = await sideBySide<Sample>(reps, [
      { name: 'downpour-4', run: exportWith(4) },
      { name: 'downpour-1', run: exportWith(1) },
      { name: 'curl-4', run: (rep) => curls(true, rep) },
      { name: 'curl-1', run: (rep) => curls(false, rep) },
    ]);
    const m = (name: string) => medianOk(samples.get(name));
    const speedup = (a: string, b: string) => {
      const x = m(a);
      const y = m(b);
      return x !== undefined && y !== undefined ? y / x : undefined;
    };
    const problems = [failures(samples.get('downpour-4')), failures(samples.get('downpour-1'))].filter(
      Boolean,
    );
    const figures: Figure[] = [
      {
        family: 'parallel transfers',
        figure: `export of 4 × ${sizeName(mib)}: 4 at once (--parallel 4) vs one at a time (--parallel 1)`,
        downpour: throughput(bytes, m('downpour-4')),
        competitor: `--parallel 1: ${throughput(bytes, m('downpour-1'))}`,
        ratio: speedup('downpour-4', 'downpour-1'),
        ratioMeaning: 'one-at-a-time time / 4-at-once time',
        target: '—',
        met: undefined,
        ...(problems.length ? { note: problems.join('; ') } : {}),
      },
      {
        family: 'parallel transfers',
        figure: `reference: curl fetching the same 4 images at once vs one at a time`,
        downpour: '—',
        competitor: `at once ${throughput(bytes, m('curl-4'))}; one at a time ${throughput(bytes, m('curl-1'))}`,
        ratio: speedup('curl-4', 'curl-1'),
        ratioMeaning: 'one-at-a-time time / 4-at-once time',
        target: '—',
        met: undefined,
      },
      {
        family: 'parallel transfers',
        figure: `export of 4 × ${sizeName(mib)} at once vs curl fetching them at once`,
        downpour: throughput(bytes, m('downpour-4')),
        competitor: throughput(bytes, m('curl-4')),
        ratio: speedup('downpour-4', 'curl-4'),
        ratioMeaning: 'curl time / Downpour time',
        target: '—',
        met: undefined,
      },
    ];
    return { figures, raw: { mib, reps, samples: Object.fromEntries(samples) } };
  } finally {
    for (const f of sources) rmSync(f, { force: true });
    for (const id of ids) await images.remove(src, id).catch(() => undefined);
  }
}
