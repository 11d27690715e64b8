/**
 * Orchestration and requests: the server graph is built in `src`; Downpour exports and imports
 * it at several sizes with `--debug` to count requests; then the import of the largest graph is
 * timed side by side with a shell script of `openstack` CLI calls and an Ansible playbook creating
 * the same resources in `dst`, each run checked by the witness and cleaned up before the next.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportReport } from '../../src/migrate/export.js';
import type { ImportReport } from '../../src/migrate/import.js';
import { prepareAnsible } from './ansible.js';
import { sweep } from './cloud.js';
import { command, downpour, type BenchContext } from './context.js';
import { atMost, notMeasured, seconds, type Figure } from './figures.js';
import {
  buildGraph,
  cliScript,
  graphSpec,
  KNOWN_CRASH_MARKER,
  playbook,
  serverNames,
  type GraphSpec,
} from './graph.js';
import { failureOf, median, ok, sideBySide, stdoutOf, type Run } from './measure.js';
import {
  countRequests,
  growth,
  LINEAR_TOLERANCE,
  serviceByOrigin,
  topKinds,
  type CountPoint,
  type RequestCounts,
} from './requests.js';
import { witnessGraph, type Witnessed } from './witness.js';

export interface GraphOptions {
  servers: number;
  requestSizes: number[];
  reps: number;
}

interface Sample {
  ok: boolean;
  seconds: number;
  failure?: string;
  witness?: Witnessed;
  note?: string;
}

export interface GraphResult {
  figures: Figure[];
  raw: Record<string, unknown>;
}

const MIN = 60_000;

function parse<T>(run: Run): T {
  return JSON.parse(stdoutOf(run)) as T;
}

/** Everything of the run in `dst`, whoever made it; never fails the family on its own. */
export async function cleanDst(ctx: BenchContext, bundle?: string, state?: string): Promise<void> {
  if (bundle && state) {
    try {
      const run = await downpour(
        ctx,
        ['destroy', bundle, '--cloud', 'dst', '--state', state, '--json'],
        'destroy',
        20 * MIN,
      );
      if (!ok(run)) ctx.log(`destroy failed (${failureOf(run)}); sweeping by name`);
    } catch (err) {
      ctx.log(`destroy did not run (${(err as Error).message}); sweeping by name`);
    }
  }
  await sweep(ctx.clouds.dst, ctx.prefix, () => undefined);
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

/** GETs of image data (`/v2/images/{id}/file`): what a re-export must not repeat. */
export function imageDataGets(counts: RequestCounts): number {
  return Object.entries(counts.byKind)
    .filter(([kind]) => /^GET image .*\/images\/\{id\}\/file$/.test(kind))
    .reduce((sum, [, n]) => sum + n, 0);
}

// ------------------------------------------------------------------------------- orchestration

async function orchestrationBench(
  ctx: BenchContext,
  spec: GraphSpec,
  bundle: string,
  reps: number,
): Promise<{ figures: Figure[]; raw: Record<string, unknown> }> {
  const n = spec.servers.length;
  const keyFile = join(ctx.workDir, 'graph-key.pub');
  writeFileSync(keyFile, `${spec.keypair.publicKey}\n`);
  const script = cliScript(spec, 'dst', keyFile);
  const scriptFile = join(ctx.workDir, 'graph-cli.sh');
  writeFileSync(scriptFile, script.text, { mode: 0o700 });
  const playbookFile = join(ctx.workDir, 'graph-playbook.yml');
  writeFileSync(playbookFile, playbook(spec, 'dst'));
  const ansible = prepareAnsible(ctx.workDir, ctx.env);

  /** Time one contender, let the witness count what it made, then clean dst for the next one. */
  const timed = async (
    label: string,
    run: () => Promise<Run>,
    options: { after?: (run: Run) => string | undefined; cleanup?: () => Promise<void> } = {},
  ): Promise<Sample> => {
    ctx.log(`orchestration: ${label}`);
    let sample: Sample;
    try {
      const r = await run();
      const witness = await witnessGraph(ctx, spec, `${label.replace(/\W+/g, '-')}-witness`);
      const problem = !ok(r)
        ? failureOf(r)
        : witness.ok
          ? undefined
          : `witness: ${witness.missing.join(', ')}`;
      const note = options.after?.(r);
      sample = {
        ok: problem === undefined,
        seconds: r.seconds,
        witness,
        ...(problem ? { failure: problem } : {}),
        ...(note ? { note } : {}),
      };
    } finally {
      await (options.cleanup ?? (() => cleanDst(ctx)))();
    }
    ctx.log(`orchestration: ${label}: ${sample.ok ? seconds(sample.seconds) : `failed (${sample.failure})`}`);
    return sample;
  };

  const contenders = [
    {
      name: 'downpour',
      run: (rep: number) => {
        const state = join(ctx.workDir, `orchestration-${rep}.state`);
        return timed(
          `downpour import ${n} servers #${rep + 1}`,
          () =>
            downpour(
              ctx,
              ['import', bundle, '--cloud', 'dst', '--state', state, '--json'],
              `orch-downpour-${rep}`,
              30 * MIN,
            ),
          {
            after: (r) =>
              ok(r) && parse<ImportReport>(r).outcome !== 'complete' ? 'import outcome partial' : undefined,
            cleanup: async () => {
              await cleanDst(ctx, bundle, state);
              rmSync(state, { recursive: true, force: true });
            },
          },
        );
      },
    },
    {
      name: 'cli',
      run: (rep: number) =>
        timed(`openstack CLI script ${n} servers #${rep + 1}`, () =>
          command(ctx, ['/bin/bash', scriptFile], `orch-cli-${rep}`, 60 * MIN),
        ),
    },
    ...(ansible.ready
      ? [
          {
            name: 'ansible',
            run: (rep: number) =>
              timed(
                `ansible playbook ${n} servers #${rep + 1}`,
                () =>
                  command(
                    ctx,
                    ansible.ansible.argv(playbookFile),
                    `orch-ansible-${rep}`,
                    60 * MIN,
                    ansible.ansible.env,
                  ),
                {
                  after: (r) => {
                    const m = new RegExp(`${KNOWN_CRASH_MARKER} (\\d+)`).exec(
                      readFileSync(r.stdoutFile, 'utf8'),
                    );
                    return m
                      ? `server module crashed after creating the server (ignored): ${m[1]} of ${n}`
                      : undefined;
                  },
                },
              ),
          },
        ]
      : []),
  ];
  const samples = await sideBySide(reps, contenders);
  const good = (name: string) => (samples.get(name) ?? []).filter((s) => s.ok);
  const med = (name: string) => median(good(name).map((s) => s.seconds));
  const dp = med('downpour');
  const dpText =
    dp === undefined
      ? `failed: ${(samples.get('downpour') ?? []).map((s) => s.failure).join('; ')}`
      : seconds(dp);

  const figures: Figure[] = [];
  const playbookBase = {
    family: 'orchestration' as const,
    figure: `import of ${n} servers vs Ansible playbook`,
    ratioMeaning: 'Downpour time / playbook time',
    target: '≤ 0.2',
  };
  if (!ansible.ready) figures.push(notMeasured(playbookBase, ansible.reason));
  else {
    const pb = med('ansible');
    const ratio = dp !== undefined && pb !== undefined ? dp / pb : undefined;
    const notes = (samples.get('ansible') ?? []).map((s) => s.note ?? s.failure).filter(Boolean);
    figures.push({
      ...playbookBase,
      downpour: dpText,
      competitor:
        pb === undefined
          ? `failed: ${(samples.get('ansible') ?? []).map((s) => s.failure).join('; ')}`
          : seconds(pb),
      ratio,
      met: atMost(ratio, 0.2),
      note: `${ansible.ansible.description}; tasks one at a time${notes.length ? `; ${[...new Set(notes)].join('; ')}` : ''}`,
    });
  }
  const cli = med('cli');
  const cliRatio = dp !== undefined && cli !== undefined ? dp / cli : undefined;
  figures.push({
    family: 'orchestration',
    figure: `import of ${n} servers vs openstack CLI script`,
    downpour: dpText,
    competitor:
      cli === undefined
        ? `failed: ${(samples.get('cli') ?? []).map((s) => s.failure).join('; ')}`
        : seconds(cli),
    ratio: cliRatio,
    ratioMeaning: 'Downpour time / script time',
    target: '—',
    met: undefined,
    note: `${script.calls} openstack CLI calls, one at a time (server create --wait)`,
  });
  return {
    figures,
    raw: {
      reps,
      samples: Object.fromEntries(samples),
      ansible: ansible.ready ? ansible.ansible.description : ansible.reason,
      cliCalls: script.calls,
    },
  };
}
