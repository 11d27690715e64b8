/**
 * Requests, then orchestration: the server graph is built in `src`; Downpour exports and imports
 * it at several sizes with `--debug` to count requests, and exports the largest once more into
 * its bundle; that bundle is then what the orchestration benchmark imports.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportReport } from '../../src/migrate/export.js';
import type { ImportReport } from '../../src/migrate/import.js';
import { cleanDst, downpour, type BenchContext } from './context.js';
import { atMost, notMeasured, type Figure } from './figures.js';
import { buildGraph, graphSpec, serverNames, type GraphSpec } from './graph.js';
import { failureOf, ok, stdoutOf, type Run } from './measure.js';
import { orchestrationBench } from './orchestration.js';
import {
  countRequests,
  growth,
  imageDataGets,
  LINEAR_TOLERANCE,
  serviceByOrigin,
  topKinds,
  type CountPoint,
  type RequestCounts,
} from './requests.js';

export interface GraphOptions {
  servers: number;
  requestSizes: number[];
  reps: number;
}

export interface GraphResult {
  figures: Figure[];
  raw: Record<string, unknown>;
}

const MIN = 60_000;

function parse<T>(run: Run): T {
  return JSON.parse(stdoutOf(run)) as T;
}

export async function graphBench(ctx: BenchContext, options: GraphOptions): Promise<GraphResult> {
  const spec = graphSpec(ctx.prefix, options.servers);
  const raw: Record<string, unknown> = { servers: options.servers, requestSizes: options.requestSizes };
  ctx.log(`building the graph of ${options.servers} servers in src`);
  const built = Date.now();
  await buildGraph(ctx.clouds.src.session, spec, ctx.log);
  raw['buildSeconds'] = (Date.now() - built) / 1000;

  const requests = await requestCounts(ctx, spec, options);
  raw['requests'] = requests.raw;
  const figures = [...requests.figures];
  if (requests.bundle) {
    const orchestration = await orchestrationBench(ctx, spec, requests.bundle, options.reps);
    figures.push(...orchestration.figures);
    raw['orchestration'] = orchestration.raw;
  } else {
    figures.push(
      notMeasured(
        {
          family: 'orchestration',
          figure: `import of ${options.servers} servers`,
          ratioMeaning: '',
          target: '≤ 0.2',
        },
        `no bundle of the ${options.servers}-server graph: its export failed`,
      ),
    );
  }
  return { figures, raw };
}

// ------------------------------------------------------------------------------------ requests

async function requestCounts(
  ctx: BenchContext,
  spec: GraphSpec,
  options: GraphOptions,
): Promise<{ figures: Figure[]; raw: Record<string, unknown>; bundle: string | undefined }> {
  const services = serviceByOrigin(ctx.clouds.src.session.catalog);
  const exports: CountPoint[] = [];
  const imports: CountPoint[] = [];
  const failures: string[] = [];
  let bundleOfAll: string | undefined;
  let reexport:
    { downloadedBytes: number; dataBytes: number; counts: RequestCounts; imageDataGets: number } | undefined;

  for (const n of options.requestSizes) {
    ctx.log(`requests: export and import of ${n} servers, with --debug`);
    const selection = join(ctx.workDir, `graph-${n}.yaml`);
    const select = await downpour(
      ctx,
      [
        'select',
        '--cloud',
        'src',
        ...serverNames(spec, n).flatMap((s) => ['--server', s]),
        '--capture',
        'image',
        '-o',
        selection,
      ],
      `select-${n}`,
      10 * MIN,
    );
    if (!ok(select)) {
      failures.push(`select ${n}: ${failureOf(select)}`);
      continue;
    }
    const bundle = join(ctx.workDir, `graph-${n}.bundle`);
    const exp = await downpour(
      ctx,
      ['--debug', 'export', selection, '--cloud', 'src', '-o', bundle, '--json'],
      `export-graph-${n}`,
      20 * MIN,
    );
    if (!ok(exp)) {
      failures.push(`export ${n}: ${failureOf(exp)}`);
      continue;
    }
    const report = parse<ExportReport>(exp);
    const resources = report.nodes.reduce((sum, k) => sum + k.create + k.existing, 0);
    exports.push({ servers: n, resources, counts: countRequests(exp.stderrFile, services, ctx.prefix) });

    const state = join(ctx.workDir, `graph-${n}.state`);
    const imp = await downpour(
      ctx,
      ['--debug', 'import', bundle, '--cloud', 'dst', '--state', state, '--json'],
      `import-graph-${n}`,
      30 * MIN,
    );
    if (ok(imp) && parse<ImportReport>(imp).outcome === 'complete')
      imports.push({ servers: n, resources, counts: countRequests(imp.stderrFile, services, ctx.prefix) });
    else failures.push(`import ${n}: ${failureOf(imp)}`);
    await cleanDst(ctx, bundle, state);
    rmSync(state, { recursive: true, force: true });

    if (n === options.servers) {
      bundleOfAll = bundle;
      const again = await downpour(
        ctx,
        ['--debug', 'export', selection, '--cloud', 'src', '-o', bundle, '--json'],
        `reexport-graph-${n}`,
        20 * MIN,
      );
      if (ok(again)) {
        const r = parse<ExportReport>(again);
        const counts = countRequests(again.stderrFile, services, ctx.prefix);
        reexport = {
          downloadedBytes: r.downloadedBytes,
          dataBytes: r.dataBytes,
          counts,
          imageDataGets: imageDataGets(counts),
        };
      } else failures.push(`second export ${n}: ${failureOf(again)}`);
    } else rmSync(bundle, { recursive: true, force: true });
  }

  const figures: Figure[] = [];
  for (const [what, points] of [
    ['export', exports],
    ['import', imports],
  ] as const) {
    const g = growth(points);
    const base = {
      family: 'requests' as const,
      figure: `${what} requests for ${options.requestSizes.join(' / ')} servers`,
      ratioMeaning: 'extra requests per extra resource, larger step / smaller step',
      target: `linear (≤ ${LINEAR_TOLERANCE})`,
    };
    if (!g) {
      figures.push(
        notMeasured(base, `fewer than three ${what}s succeeded: ${failures.join('; ') || 'see the log'}`),
      );
      continue;
    }
    figures.push({
      ...base,
      downpour: points.map((p) => `${p.counts.total} (${p.resources} res.)`).join(' / '),
      competitor: '—',
      ratio: g.ratio,
      met: atMost(g.ratio, LINEAR_TOLERANCE),
      note:
        `${g.slopeSmall.toFixed(2)} then ${g.slopeLarge.toFixed(2)} requests per added resource` +
        (g.superlinear.length
          ? `; faster than linear: ${g.superlinear.map((k) => `\`${k.kind}\` ${k.counts.join('/')}`).join(', ')}` +
            `; without ${g.superlinear.length === 1 ? 'it' : 'them'} the ratio is ${g.ratioWithoutThem?.toFixed(2) ?? 'n/a'}`
          : ''),
    });
  }
  const reBase = {
    family: 'requests' as const,
    figure: `second export of the unchanged ${options.servers}-server graph into its bundle`,
    ratioMeaning: '',
    target: '0 data bytes',
  };
  figures.push(
    reexport
      ? {
          ...reBase,
          downpour: `${reexport.downloadedBytes} B downloaded, ${reexport.imageDataGets} image-data GETs, ${reexport.counts.total} requests`,
          competitor: '—',
          ratio: undefined,
          met: reexport.downloadedBytes === 0 && reexport.imageDataGets === 0,
          note: `the graph's ${reexport.dataBytes} B of data (its boot image is public and must exist at the destination, so nothing is captured); see the image row for data`,
        }
      : notMeasured(reBase, failures.join('; ') || 'the export of the largest graph failed'),
  );
  return {
    figures,
    bundle: bundleOfAll,
    raw: {
      exports,
      imports,
      reexport,
      failures,
      exportGrowth: growth(exports),
      importGrowth: growth(imports),
      topExportKinds: topKinds(exports),
      topImportKinds: topKinds(imports),
    },
  };
}
