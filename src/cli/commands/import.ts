import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DownpourError, ExitCode, UsageError } from '../../core/errors.js';
import { destroyImport } from '../../migrate/destroy.js';
import {
  importBundle,
  loadBundle,
  planFor,
  PreflightError,
  type ImportReport,
} from '../../migrate/import.js';
import { readMappingFile } from '../../plan/mapping-file.js';
import { renderPlanTable } from '../../plan/render-table.js';
import type { Plan } from '../../plan/types.js';
import { commandContext } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import { printJson, table, type Output } from '../output.js';
import { progressDisplay } from '../progress.js';

function readPlan(path: string): Plan {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Plan;
  } catch (err) {
    throw new UsageError(`cannot read plan ${path}: ${(err as Error).message}`, {
      hint: 'Write one with `downpour plan BUNDLE --cloud NAME -o plan.json`.',
    });
  }
}

export function registerImportCommands(program: Command): void {
  program
    .command('plan')
    .description(
      'what an import would create, map and reuse at the destination, with preflight checks; creates nothing',
    )
    .argument('<bundle>', 'bundle directory or .tar')
    .option('--map <file>', 'map.yaml: flavors, networks, volume types, zones, images, keypairs')
    .option('-o, --output <file>', 'save the plan as JSON for `downpour import --plan`')
    .addHelpText(
      'after',
      `
Flavors map by name, else to the smallest flavor that fits; external networks by name, else
the only one; volume types by name, else the default; public images by hash, then name.
Preflight checks quotas, formats and APIs. Exit code 4 when it refuses.

Example:
  downpour plan shop.bundle --cloud dst --map map.yaml -o plan.json`,
    )
    .action(async (bundlePath: string, opts: { map?: string; output?: string }, command: Command) => {
      const ctx = commandContext(command);
      const mapping = opts.map ? readMappingFile(opts.map) : {};
      const session = await ctx.connect();
      try {
        const bundle = await loadBundle(bundlePath);
        const plan = await planFor(session, bundle, mapping);
        if (opts.output) writeFileSync(opts.output, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
        if (ctx.output.json) printJson(ctx.output, plan);
        else ctx.output.out(renderPlanTable(plan));
        if (!plan.ok) throw new PreflightError(plan);
      } finally {
        await session.close();
      }
    });

  program
    .command('import')
    .description("create the bundle's resources at the destination; journalled and resumable")
    .argument('<bundle>', 'bundle directory or .tar')
    .option('--map <file>', 'map.yaml (see `downpour plan --help`)')
    .option('--plan <file>', 'apply a plan saved by `downpour plan -o`; refused if the destination moved on')
    .option('--state <path>', 'journal file or folder (default: BUNDLE.state/ beside the bundle)')
    .option('--parallel <n>', 'API calls at once', '8')
    .option('--parallel-data <n>', 'uploads at once', '2')
    .option('--report <file>', 'also write the report (old -> new ids, floating IPs, checks) as JSON')
    .option(
      '--adopt',
      'take over what another import of this bundle made here moments ago (with no journal on this machine), once that run is known to be dead',
    )
    .addHelpText(
      'after',
      `
Every created object is journalled the moment its create call returns, and carries tags (or
metadata) naming the bundle and its source id. Kill the import at any moment and run the same
command again: it adopts what was created, finishes what was half done, and creates the rest.
A failure skips only what depends on it; the run then ends with exit code 3 (run it again).

One import or destroy of a bundle into a project runs at a time on a machine: a second one
exits 7, naming the first. An import with no journal here that finds objects of the same bundle
made in the project in the last 15 minutes (another machine, or another copy of the bundle) also
exits 7 rather than create them twice; --adopt takes them over once that run is known dead.

Image and volume data goes first, each chunk checked against its SHA-256 as it is uploaded,
and the rest is created once it is all in. A damaged bundle stops the import with exit code 6;
an upload it broke is removed, so what remains is exactly what the journal lists.

Example:
  downpour import shop.bundle --cloud dst --map map.yaml --report shop-ids.json`,
    )
    .action(async (bundlePath: string, opts: Record<string, string | undefined>, command: Command) => {
      const ctx = commandContext(command);
      const parallel = Number(opts['parallel']);
      const parallelData = Number(opts['parallelData']);
      if (!(parallel >= 1) || !(parallelData >= 1))
        throw new UsageError('--parallel and --parallel-data need a positive number');
      const mapping = opts['map'] ? readMappingFile(opts['map']) : {};
      const savedPlan = opts['plan'] ? readPlan(opts['plan']) : undefined;
      const session = await ctx.connect();
      const progress = progressDisplay(ctx.output);
      try {
        const report = await withInterrupt((signal) =>
          importBundle(session, {
            bundle: bundlePath,
            mapping,
            ...(savedPlan ? { savedPlan } : {}),
            ...(opts['state'] ? { state: opts['state'] } : {}),
            ...(opts['adopt'] ? { adopt: true } : {}),
            apiConcurrency: parallel,
            dataConcurrency: parallelData,
            progress,
            logger: ctx.logger,
            signal,
          }),
        );
        progress.stop();
        if (opts['report'])
          writeFileSync(opts['report'], `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
        if (ctx.output.json) printJson(ctx.output, report);
        else printImportReport(ctx.output, report);
        if (report.outcome === 'partial') {
          const open = report.nodes.filter((n) =>
            ['failed', 'skipped', 'pending', 'creating'].includes(n.status),
          );
          const failedChecks = report.verification.filter((c) => !c.ok);
          // Name the first few in the error itself: with --json the table above is not printed.
          const named = open
            .slice(0, 3)
            .map((n) => `${n.kind} ${n.name ?? n.key} ${n.status}${n.message ? `: ${n.message}` : ''}`)
            .join('; ');
          throw new DownpourError(
            'E_IMPORT_PARTIAL',
            ExitCode.partial,
            `the import is not complete: ${open.length} resources failed or wait, ${failedChecks.length} checks failed${named ? ` (${named}${open.length > 3 ? '; …' : ''})` : ''}`,
            {
              hint: `The journal ${report.statePath} holds everything created; fix the cause shown above and run the same command again.`,
            },
          );
        }
      } finally {
        progress.stop();
        await session.close();
      }
    });

  program
    .command('destroy')
    .description('remove exactly what an import of this bundle created at the destination, and nothing else')
    .argument('<bundle>', 'bundle directory or .tar')
    .option('--state <path>', 'journal file or folder used by the import')
    .action(async (bundlePath: string, opts: { state?: string }, command: Command) => {
      const ctx = commandContext(command);
      const session = await ctx.connect();
      const progress = progressDisplay(ctx.output);
      try {
        const report = await withInterrupt((signal) =>
          destroyImport(session, {
            bundle: bundlePath,
            ...(opts.state ? { state: opts.state } : {}),
            progress,
            logger: ctx.logger,
            signal,
          }),
        );
        progress.stop();
        if (ctx.output.json) printJson(ctx.output, report);
        else
          ctx.output.out(
            `removed ${report.removed.length} objects created by the import; mapped, reused and pre-existing objects were left alone`,
          );
      } finally {
        progress.stop();
        await session.close();
      }
    });
}

function printImportReport(output: Output, report: ImportReport): void {
  output.out(
    table(
      ['kind', 'name', 'action', 'status', 'source id', 'destination id'],
      report.nodes.map((n) => [
        n.kind,
        n.name ?? '',
        n.action,
        n.status,
        n.key.slice(n.kind.length + 1),
        n.targetId ?? n.message ?? '',
      ]),
    ),
  );
  if (report.floatingIps.length) {
    output.out('\nFloating IPs (addresses change):');
    output.out(
      table(
        ['source', 'destination'],
        report.floatingIps.map((f) => [f.source, f.destination]),
      ),
    );
  }
  const failed = report.verification.filter((c) => !c.ok);
  output.out(
    `\nVerification: ${report.verification.length - failed.length} of ${report.verification.length} checks passed${failed.length ? ':' : '.'}`,
  );
  for (const c of failed) output.out(`  - ${c.key}: ${c.check}: ${c.detail}`);
  for (const n of report.nodes.filter((x) => x.message)) output.out(`  - ${n.key}: ${n.message}`);
  output.out(
    `\n${report.outcome === 'complete' ? 'Import complete' : 'Import partial'} in ${report.seconds.toFixed(1)} s; journal: ${report.statePath}`,
  );
}
