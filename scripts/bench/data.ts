/**
 * Data path and memory. For each size, an image of random bytes is uploaded to `src`; then, side
 * by side and interleaved:
 *   export:  downpour export  |  curl -o (GET .../file)        |  openstack image save
 *   import:  downpour import  |  curl -T (PUT into a queued image) |  openstack image create --file
 * curl is handed a token fetched beforehand (the physical limit: one HTTP transfer, nothing else);
 * Downpour and the openstack CLI authenticate, discover and check as part of their time.
 * Every import is removed before the next one, so Downpour never finds an identical image to reuse.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportReport } from '../../src/migrate/export.js';
import type { ImportReport } from '../../src/migrate/import.js';
import * as images from '../../src/openstack/image/images/index.js';
import { sweep } from './cloud.js';
import {
  cleanDst,
  command,
  CURL,
  downpour,
  imageEndpoint,
  openstack,
  tokenHeaderFile,
  type BenchContext,
} from './context.js';
import {
  memoryFigures,
  reexportFigure,
  speedFigures,
  type Reexport,
  type SizeResult,
} from './data-figures.js';
import { MiB, seconds, sizeName, type Figure } from './figures.js';
import { failureOf, ok, sideBySide, stdoutOf, type Contender } from './measure.js';
import { countRequests, imageDataGets, serviceByOrigin } from './requests.js';
import {
  fileProblem,
  limitFor,
  medianOk,
  MIN,
  randomFile,
  sampleOf,
  uploadImage,
  type Sample,
  type Samples,
} from './samples.js';

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

/** One image size: its random data, in `src` and on disk, and what every contender needs. */
interface ImageCase {
  ctx: BenchContext;
  bytes: number;
  tag: string;
  /** The random data on disk: what curl and the openstack CLI upload. */
  source: string;
  imageId: string;
  selection: string;
  limit: number;
}

const CURL_FLAGS = ['-sS', '--fail', '--noproxy', '*'];

async function oneSize(
  ctx: BenchContext,
  mib: number,
  reps: number,
  reexportAfter: boolean,
): Promise<{ result: SizeResult; reexport?: Reexport }> {
  const tag = `${mib}m`;
  const source = join(ctx.workDir, `image-${tag}.raw`);
  ctx.log(`data: ${sizeName(mib)} of random bytes, uploaded to src`);
  await randomFile(source, mib);
  const src = ctx.clouds.src.session;
  const imageId = await uploadImage(src, `${ctx.prefix}-img-${tag}`, source);
  /** The first good export's bundle: what the imports read. */
  let kept: string | undefined;
  try {
    const selection = join(ctx.workDir, `image-${tag}.yaml`);
    const select = await downpour(
      ctx,
      ['select', '--cloud', 'src', '--image', imageId, '-o', selection],
      `select-${tag}`,
      5 * MIN,
    );
    if (!ok(select)) throw new Error(`downpour select failed: ${failureOf(select)}`);
    const c: ImageCase = {
      ctx,
      bytes: mib * MiB,
      tag,
      source,
      imageId,
      selection,
      limit: limitFor(mib),
    };

    ctx.log(`data: export of ${sizeName(mib)}, ${reps}× side by side`);
    const exported = await sideBySide<Sample>(
      reps,
      await exportContenders(c, (bundle) => {
        if (kept) return false;
        kept = bundle;
        return true;
      }),
    );
    const reexport = reexportAfter && kept ? await reexportOf(c, kept) : undefined;
    let imported: Samples = new Map();
    if (kept) {
      ctx.log(`data: import of ${sizeName(mib)}, ${reps}× side by side`);
      imported = await sideBySide<Sample>(reps, await importContenders(c, kept));
    }
    return { result: { mib, export: exported, import: imported }, ...(reexport ? { reexport } : {}) };
  } finally {
    if (kept) rmSync(kept, { recursive: true, force: true });
    rmSync(source, { force: true });
    await images.remove(src, imageId).catch(() => undefined);
  }
}

/** `keep(bundle)` says whether a good export's bundle is kept for the imports (else it is deleted). */
async function exportContenders(
  c: ImageCase,
  keep: (bundle: string) => boolean,
): Promise<Contender<Sample>[]> {
  const { ctx, tag, bytes, limit } = c;
  const srcImages = await imageEndpoint(ctx, 'src');
  return [
    {
      name: 'downpour',
      run: async (rep) => {
        const bundle = join(ctx.workDir, `export-${tag}-${rep}.bundle`);
        const run = await downpour(
          ctx,
          ['export', c.selection, '--cloud', 'src', '-o', bundle, '--json'],
          `export-${tag}-downpour-${rep}`,
          limit,
        );
        let problem: string | undefined;
        if (ok(run)) {
          const report = JSON.parse(stdoutOf(run)) as ExportReport;
          if (report.downloadedBytes !== bytes)
            problem = `downloaded ${report.downloadedBytes} of ${bytes} bytes`;
        }
        if (!(ok(run) && !problem && keep(bundle))) rmSync(bundle, { recursive: true, force: true });
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
          [CURL, ...CURL_FLAGS, '-H', `@${headers}`, '-o', out, `${srcImages}/images/${c.imageId}/file`],
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
          ['--os-cloud', 'src', 'image', 'save', '--file', out, c.imageId],
          `export-${tag}-openstack-${rep}`,
          limit,
        );
        const sample = sampleOf(run, fileProblem(out, bytes));
        rmSync(out, { force: true });
        return sample;
      },
    },
  ];
}

/** Every contender's image is checked and removed before the next one runs. */
async function importContenders(c: ImageCase, bundle: string): Promise<Contender<Sample>[]> {
  const { ctx, tag, bytes, limit } = c;
  const dstImages = await imageEndpoint(ctx, 'dst');
  return [
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
          const failed = report.verification.filter((v) => !v.ok).length;
          if (report.outcome !== 'complete' || failed)
            problem = `import ${report.outcome}, ${failed} checks failed`;
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
            ...CURL_FLAGS,
            '-H',
            `@${headers}`,
            '-H',
            'Content-Type: application/octet-stream',
            '-X',
            'PUT',
            '-T',
            c.source,
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
            ...['--os-cloud', 'dst', 'image', 'create', '--disk-format', 'raw', '--container-format', 'bare'],
            ...[
              '--private',
              '--file',
              c.source,
              '-f',
              'value',
              '-c',
              'id',
              `${ctx.prefix}-osc-${tag}-${rep}`,
            ],
          ],
          `import-${tag}-openstack-${rep}`,
          limit,
        );
        const problem = await checkAndDelete(ctx, ok(run) ? stdoutOf(run).trim() : undefined, bytes);
        // A failed run may still have left a named image behind.
        await sweep(ctx.clouds.dst, ctx.prefix, () => undefined);
        return sampleOf(run, problem);
      },
    },
  ];
}

/** A second export of the unchanged image into its bundle, with --debug: nothing may be fetched. */
async function reexportOf(c: ImageCase, bundle: string): Promise<Reexport> {
  const { ctx } = c;
  const run = await downpour(
    ctx,
    ['--debug', 'export', c.selection, '--cloud', 'src', '-o', bundle, '--json'],
    `reexport-${c.tag}`,
    c.limit,
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
