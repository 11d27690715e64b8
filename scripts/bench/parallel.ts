/**
 * Parallel transfers: four images, one `downpour export` of all four with `--parallel 4` against
 * the same export with `--parallel 1`; for reference, curl fetching the four at once against one
 * after another.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportReport } from '../../src/migrate/export.js';
import * as images from '../../src/openstack/image/images/index.js';
import { command, CURL, downpour, imageEndpoint, tokenHeaderFile, type BenchContext } from './context.js';
import type { DataResult } from './data.js';
import { MiB, sizeName, throughput, type Figure } from './figures.js';
import { failureOf, ok, sideBySide, stdoutOf } from './measure.js';
import {
  failures,
  fileProblem,
  limitFor,
  medianOk,
  MIN,
  randomFile,
  sampleOf,
  uploadImage,
  type Sample,
} from './samples.js';

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
