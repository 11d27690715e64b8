/**
 * `npm run bench`: Downpour measured side by side with curl, the openstack CLI and Ansible on the
 * local cloud; writes bench/results.md and bench/results.json. See docs/benchmarks.md.
 *
 *   npm run bench [-- --reps 3 --graph-reps 1 --sizes 64,512,2048 --servers 20
 *                     --request-sizes 5,10,20 --parallel-mib 256 --only data,parallel,graph
 *                     --max-minutes 120 --shared-projects --out bench]
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openClouds, sweep, type BenchClouds } from './cloud.js';
import { CURL, OPENSTACK_CLI, toolEnvironment, type BenchContext } from './context.js';
import { dataBench } from './data.js';
import { parallelBench } from './parallel.js';
import { notMeasured, type Family, type Figure } from './figures.js';
import { graphBench } from './graph-bench.js';
import { GNU_TIME, killRunning, Runner } from './measure.js';
import { machineFacts, writeResults } from './report.js';

const FAMILIES = ['data', 'parallel', 'graph'] as const;
type FamilyName = (typeof FAMILIES)[number];

function numbers(value: string, what: string): number[] {
  const list = value.split(',').map(Number);
  if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--${what} ${value}: expected positive whole numbers, comma-separated`);
  return list;
}

function options() {
  const { values } = parseArgs({
    options: {
      reps: { type: 'string', default: '3' },
      'graph-reps': { type: 'string', default: '1' },
      sizes: { type: 'string', default: '64,512,2048' },
      servers: { type: 'string', default: '20' },
      'request-sizes': { type: 'string', default: '5,10,20' },
      'parallel-mib': { type: 'string', default: '256' },
      only: { type: 'string', default: FAMILIES.join(',') },
      'max-minutes': { type: 'string', default: '120' },
      'shared-projects': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench' },
    },
  });
  const only = values.only.split(',') as FamilyName[];
  for (const f of only)
    if (!FAMILIES.includes(f)) throw new Error(`--only ${f}: expected ${FAMILIES.join(', ')}`);
  const [reps] = numbers(values.reps, 'reps');
  const [graphReps] = numbers(values['graph-reps'], 'graph-reps');
  const [servers] = numbers(values.servers, 'servers');
  const [parallelMiB] = numbers(values['parallel-mib'], 'parallel-mib');
  const [maxMinutes] = numbers(values['max-minutes'], 'max-minutes');
  const requestSizes = [...new Set([...numbers(values['request-sizes'], 'request-sizes'), servers as number])]
    .filter((n) => n <= (servers as number))
    .sort((a, b) => a - b);
  return {
    reps: reps as number,
    graphReps: graphReps as number,
    sizes: numbers(values.sizes, 'sizes').sort((a, b) => a - b),
    servers: servers as number,
    requestSizes,
    parallelMiB: parallelMiB as number,
    only,
    maxMinutes: maxMinutes as number,
    shared: values['shared-projects'],
    out: values.out,
  };
}

const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<number> {
  const opts = options();
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (const [tool, hint] of [
    [GNU_TIME, 'GNU time (Debian: apt-get install time)'],
    [CURL, 'curl'],
    [OPENSTACK_CLI, 'the openstack CLI (Debian: python3-openstackclient)'],
    [join(root, 'dist', 'cli', 'main.js'), 'a build of Downpour (npm run build)'],
  ] as const)
    if (!existsSync(tool)) {
      log(`${tool} is missing: the bench needs ${hint}`);
      return 2;
    }
  const configFile = process.env['OS_CLIENT_CONFIG_FILE'] ?? '/var/lib/downpour-cloud/clouds.yaml';
  if (!existsSync(configFile)) {
    log(
      `${configFile} does not exist: start the local cloud (npm run cloud:up) or set OS_CLIENT_CONFIG_FILE`,
    );
    return 2;
  }

  const started = Date.now();
  const machine = machineFacts(root);
  const prefix = `dpb-${randomBytes(3).toString('hex')}`;
  const workDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const logDir = mkdtempSync(join(tmpdir(), `${prefix}-logs-`));
  log(`run ${prefix}: work in ${workDir}, logs of every command in ${logDir}`);

  let clouds: BenchClouds | undefined;
  let ctx: BenchContext | undefined;
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const familyMinutes: Record<string, number> = {};

  // Stop by itself: no new command after the deadline, and a hard stop if cleanup hangs.
  const deadline = started + opts.maxMinutes * 60_000;
  const hardStop = setTimeout(
    () => {
      log('the run overran its time limit by 15 minutes: stopping hard');
      killRunning();
      process.exit(1);
    },
    (opts.maxMinutes + 15) * 60_000,
  );
  hardStop.unref();
  let interrupted = false;
  const interrupt = (signal: string) => {
    killRunning();
    if (interrupted) {
      log(`${signal} again: stopping now, without cleanup (the prefix is ${prefix})`);
      process.exit(130);
    }
    interrupted = true;
    log(`${signal}: stopping after cleanup (${signal} again to stop at once)`);
    if (ctx) ctx.deadline = 0;
  };
  process.on('SIGINT', () => interrupt('SIGINT'));
  process.on('SIGTERM', () => interrupt('SIGTERM'));

  try {
    clouds = await openClouds({ configFile, workDir, prefix, shared: opts.shared, log });
    ctx = {
      root,
      workDir,
      prefix,
      clouds,
      runner: new Runner(logDir, log),
      env: toolEnvironment(clouds.file),
      deadline,
      log,
    };
    const families: Record<FamilyName, { family: Family; run: (c: BenchContext) => Promise<Figure[]> }> = {
      data: {
        family: 'data path',
        run: async (c) => {
          const r = await dataBench(c, opts.sizes, opts.reps);
          details['data'] = r.raw;
          return r.figures;
        },
      },
      parallel: {
        family: 'parallel transfers',
        run: async (c) => {
          const r = await parallelBench(c, opts.parallelMiB, opts.reps);
          details['parallel'] = r.raw;
          return r.figures;
        },
      },
      graph: {
        family: 'orchestration',
        run: async (c) => {
          const r = await graphBench(c, {
            servers: opts.servers,
            requestSizes: opts.requestSizes,
            reps: opts.graphReps,
          });
          details['graph'] = r.raw;
          return r.figures;
        },
      },
    };
    for (const name of opts.only) {
      const family = families[name];
      const t0 = Date.now();
      log(`== ${name}`);
      try {
        figures.push(...(await family.run(ctx)));
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        log(`${name} stopped: ${err instanceof Error ? (err.stack ?? why) : why}`);
        figures.push(
          notMeasured(
            { family: family.family, figure: `the ${name} benchmarks`, ratioMeaning: '', target: '—' },
            why,
          ),
        );
      } finally {
        for (const project of [clouds.src, clouds.dst])
          await sweep(project, prefix, () => undefined).catch((err: unknown) =>
            log(`cleanup of ${project.cloud} after ${name}: ${(err as Error).message}`),
          );
        familyMinutes[name] = (Date.now() - t0) / 60_000;
        log(`== ${name} done in ${familyMinutes[name].toFixed(1)} min`);
      }
    }
  } finally {
    if (clouds) {
      for (const project of [clouds.src, clouds.dst])
        await sweep(project, prefix, log).catch((err: unknown) =>
          log(`cleanup of ${project.cloud} left something: ${(err as Error).message}`),
        );
      await clouds.close().catch((err: unknown) => log(`closing the clouds: ${(err as Error).message}`));
    }
    rmSync(workDir, { recursive: true, force: true });
  }

  machine.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  const outDir = resolve(root, opts.out);
  mkdirSync(outDir, { recursive: true });
  const written = writeResults(outDir, {
    machine,
    run: {
      prefix,
      where: clouds?.description ?? 'no cloud',
      options: {
        reps: opts.reps,
        'graph-reps': opts.graphReps,
        sizes: opts.sizes,
        servers: opts.servers,
        'request-sizes': opts.requestSizes,
        'parallel-mib': opts.parallelMiB,
        only: opts.only,
      },
      minutes: (Date.now() - started) / 60_000,
      familyMinutes,
    },
    figures,
    details,
  });
  log(`wrote ${written.markdown} and ${written.json} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    killRunning();
    process.exit(1);
  },
);
