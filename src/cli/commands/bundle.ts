import type { Command } from 'commander';
import { BundleIntegrityError, UsageError } from '../../core/errors.js';
import { formatBytes } from '../../core/progress.js';
import { openBundle, packBundle, verifyBundle } from '../../bundle/index.js';
import { loadGraph } from '../../kinds/load.js';
import { toDot, toMermaid } from '../../render/diagram.js';
import { commandContext } from '../context.js';
import { printJson, table } from '../output.js';

export function registerBundleCommands(program: Command): void {
  program
    .command('inspect')
    .description(
      'show what a bundle holds: resources by kind, sizes, what must pre-exist, what could not be read',
    )
    .argument('<bundle>', 'bundle directory or .tar')
    .option('--graph <format>', 'print the dependency graph instead: dot or mermaid')
    .addHelpText(
      'after',
      `
Examples:
  downpour inspect shop.bundle
  downpour inspect shop.tar --graph dot | dot -Tsvg > shop.svg`,
    )
    .action(async (path: string, opts: { graph?: string }, command: Command) => {
      const ctx = commandContext(command);
      const reader = await openBundle(path);
      const index = reader.index();
      const graph = await loadGraph(reader);
      if (opts.graph) {
        if (opts.graph === 'dot') return ctx.output.out(toDot(graph));
        if (opts.graph === 'mermaid') return ctx.output.out(toMermaid(graph));
        throw new UsageError(`--graph ${opts.graph}: expected dot or mermaid`);
      }
      if (ctx.output.json)
        return printJson(ctx.output, {
          bundleId: index.bundleId,
          createdAt: index.createdAt,
          updatedAt: index.updatedAt,
          ...graph,
        });
      ctx.output.out(
        `Bundle ${path} (id ${index.bundleId}), exported ${graph.exportedAt} from project ${graph.source.project.name} of ${graph.source.authUrl}, capture mode ${graph.options.capture}`,
      );
      ctx.output.out('');
      ctx.output.out(
        table(
          ['kind', 'name', 'source id', 'at destination', 'data'],
          graph.nodes.map((n) => [
            n.kind,
            n.name ?? '',
            n.sourceId,
            n.disposition === 'existing' ? 'must exist (mapped)' : 'create',
            n.dataInfo ? `${formatBytes(n.dataInfo.size)} ${n.dataInfo.disk_format}` : '',
          ]),
        ),
      );
      const data = graph.nodes.reduce((s, n) => s + (n.dataInfo?.size ?? 0), 0);
      ctx.output.out(
        `\n${graph.nodes.length} resources, ${graph.nodes.filter((n) => n.disposition === 'existing').length} of them must already exist at the destination; ${formatBytes(data)} of data.`,
      );
      if (graph.notes.length)
        ctx.output.out(`\nNotes:\n${graph.notes.map((n) => `  - [${n.severity}] ${n.message}`).join('\n')}`);
    });

  program
    .command('verify')
    .description('check every blob of a bundle: size, then SHA-256; names what is missing or corrupt')
    .argument('<bundle>', 'bundle directory or .tar')
    .action(async (path: string, _opts: unknown, command: Command) => {
      const ctx = commandContext(command);
      const reader = await openBundle(path);
      const report = await verifyBundle(reader);
      if (ctx.output.json) printJson(ctx.output, report);
      else if (report.problems.length === 0)
        ctx.output.out(
          `ok: ${report.blobs} blobs, ${formatBytes(report.bytes)}, every size and SHA-256 as recorded`,
        );
      else
        ctx.output.out(
          table(
            ['problem', 'blob', 'where'],
            report.problems.map((p) => [p.problem, p.digest, p.path]),
          ),
        );
      if (report.problems.length) {
        throw new BundleIntegrityError(
          `${report.problems.length} of ${report.blobs} blobs are missing or corrupt`,
          {
            hint: 'Copy the bundle again from where it was exported, or run the export again into the same bundle to fetch what is missing.',
          },
        );
      }
    });

  program
    .command('pack')
    .description('pack a bundle directory into one .tar to carry; every command reads the .tar directly')
    .argument('<bundle>', 'bundle directory')
    .requiredOption('-o, --output <file>', 'the .tar to write')
    .action(async (path: string, opts: { output: string }, command: Command) => {
      const ctx = commandContext(command);
      const result = await packBundle(path, opts.output);
      if (ctx.output.json) printJson(ctx.output, { output: opts.output, ...result });
      else ctx.output.out(`wrote ${opts.output}: ${result.files} files, ${formatBytes(result.bytes)}`);
    });
}
