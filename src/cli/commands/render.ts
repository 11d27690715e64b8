import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { openBundle } from '../../bundle/index.js';
import { readMappingFile } from '../../plan/mapping-file.js';
import '../../render/formats.js';
import {
  RENDER_FORMATS,
  isRenderFormat,
  loadRenderModel,
  renderModel,
  writeRendered,
} from '../../render/render.js';
import { commandContext } from '../context.js';
import { printJson } from '../output.js';

export function registerRenderCommand(program: Command): void {
  program
    .command('render')
    .description(
      'write a bundle as an Ansible playbook, a Heat template or Terraform, to review and apply yourself',
    )
    .argument('<bundle>', 'bundle directory or .tar')
    .requiredOption('--format <format>', `one of ${RENDER_FORMATS.join(', ')}`)
    .option(
      '--map <file>',
      'map.yaml: its values become the defaults of the rendered inputs (see `downpour plan --help`)',
    )
    .requiredOption(
      '-o, --output <dir>',
      'folder to write into (created; files of the same name are replaced)',
    )
    .addHelpText(
      'after',
      `
Rendering talks to no cloud: flavors, external networks, volume types, public images and
availability zones become inputs (Heat parameters, Ansible variables, Terraform variables)
whose defaults are the mapping file's values, else the source's names. Image and volume data
is rebuilt from the bundle by data/assemble.sh. Each folder has a README saying how to apply it
and what the format cannot express. Rendering the same bundle twice gives the same bytes.

Examples:
  downpour render shop.tar --format heat -o shop-heat
  downpour render shop.bundle --format ansible --map map.yaml -o shop-ansible
  downpour render shop.bundle --format terraform -o shop-tf`,
    )
    .action(
      async (
        bundlePath: string,
        opts: { format: string; map?: string; output: string },
        command: Command,
      ) => {
        const ctx = commandContext(command);
        if (!isRenderFormat(opts.format))
          throw new UsageError(`--format ${opts.format}: expected one of ${RENDER_FORMATS.join(', ')}`);
        const mapping = opts.map ? readMappingFile(opts.map) : {};
        const reader = await openBundle(bundlePath);
        const model = await loadRenderModel(reader, mapping);
        const files = renderModel(model, opts.format);
        const dir = resolve(opts.output);
        await writeRendered(files, dir);
        if (ctx.output.json)
          return printJson(ctx.output, { format: opts.format, output: dir, files: files.map((f) => f.path) });
        ctx.output.out(
          `${opts.format}: ${model.resources.length} resources and ${model.inputs.length} inputs written to ${opts.output} (${files.length} files). Read ${opts.output}/README.md next.`,
        );
      },
    );
}
