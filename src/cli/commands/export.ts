import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { formatBytes } from '../../core/progress.js';
import { exportBundle } from '../../migrate/export.js';
import { CAPTURE_MODES, readSelectionFile, type CaptureMode } from '../../select/selection-file.js';
import { commandContext } from '../context.js';
import { printJson, table } from '../output.js';
import { progressDisplay } from '../progress.js';
import { withInterrupt } from '../interrupt.js';

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('read the selection and everything it depends on from the source into a bundle')
    .argument('<selection>', 'selection file written by `downpour select`')
    .requiredOption('-o, --output <bundle>', 'bundle directory to create, or to add to')
    .option('--capture <mode>', `override the selection's capture mode: ${CAPTURE_MODES.join(', ')}`)
    .option('--parallel <n>', 'data captures at once', '2')
    .addHelpText(
      'after',
      `
The bundle is a directory (blobs named by SHA-256, index.json written last). Kill the export
at any moment and run the same command again: committed data is not downloaded again, and
the temporary images, snapshots and volumes it made in the source are reused or removed.
Exporting again into the same bundle later fetches only data that changed.

What cannot be read with tenant credentials (user_data, other users' keypairs, floating IP
addresses that will change) is listed in the report and kept in the bundle's notes.

Example:
  downpour export shop.yaml --cloud src -o shop.bundle`,
    )
    .action(async (selectionFile: string, opts: Record<string, unknown>, command: Command) => {
      const ctx = commandContext(command);
      const selection = readSelectionFile(selectionFile);
      const capture = opts['capture'] as string | undefined;
      if (capture !== undefined && !(CAPTURE_MODES as readonly string[]).includes(capture)) {
        throw new UsageError(`--capture ${capture}: expected one of ${CAPTURE_MODES.join(', ')}`);
      }
      const parallel = Number(opts['parallel']);
      if (!Number.isInteger(parallel) || parallel < 1)
        throw new UsageError(`--parallel ${String(opts['parallel'])}: expected a positive whole number`);
      const session = await ctx.connect(ctx.options.cloud ?? selection.source.cloud);
      const progress = progressDisplay(ctx.output);
      try {
        const report = await withInterrupt((signal) =>
          exportBundle(session, {
            selection,
            bundle: opts['output'] as string,
            ...(capture ? { capture: capture as CaptureMode } : {}),
            dataConcurrency: parallel,
            progress,
            logger: ctx.logger,
            signal,
          }),
        );
        progress.stop();
        if (ctx.output.json) return printJson(ctx.output, report);
        ctx.output.out(
          table(
            ['kind', 'create', 'must exist'],
            report.nodes.map((n) => [n.kind, n.create, n.existing]),
          ),
        );
        ctx.output.out(
          `\nBundle ${report.bundle} (id ${report.bundleId}): ${formatBytes(report.dataBytes)} of data, ` +
            `${formatBytes(report.downloadedBytes)} downloaded now, ${formatBytes(report.reusedBytes)} reused, in ${report.seconds.toFixed(1)} s.`,
        );
        const warnings = report.notes.filter((n) => n.severity === 'warning');
        const infos = report.notes.filter((n) => n.severity === 'info');
        if (warnings.length)
          ctx.output.out(`\nWarnings:\n${warnings.map((n) => `  - ${n.message}`).join('\n')}`);
        if (infos.length) ctx.output.out(`\nNotes:\n${infos.map((n) => `  - ${n.message}`).join('\n')}`);
      } finally {
        progress.stop();
        await session.close();
      }
    });
}
