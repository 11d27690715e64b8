import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { selectResources } from '../../select/select.js';
import { CAPTURE_MODES, renderSelection, type CaptureMode } from '../../select/selection-file.js';
import { commandContext } from '../context.js';
import { printJson, table } from '../output.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerSelectCommand(program: Command): void {
  program
    .command('select')
    .description('pick what moves; writes an editable selection file naming resources by id')
    .option('--server <name|id>', 'servers by name glob or id (repeatable)', collect)
    .option('--volume <name|id>', 'volumes by name glob or id (repeatable)', collect)
    .option('--image <name|id>', "the project's own images by name glob or id (repeatable)", collect)
    .option('--network <name|id>', "the project's networks, with their subnets (repeatable)", collect)
    .option('--security-group <name|id>', 'security groups (repeatable)', collect)
    .option('--keypair <name>', 'keypairs of the current user (repeatable)', collect)
    .option('--container <name>', 'Swift containers by name glob, with their objects (repeatable)', collect)
    .option(
      '--tag <tag>',
      'resources carrying this tag, e.g. app=shop (servers, images, networks, security groups)',
      collect,
    )
    .option(
      '--metadata <key=value>',
      'servers and volumes with this metadata, images with this property',
      collect,
    )
    .option('--all', 'everything the project owns')
    .option('--capture <mode>', `how server disks are captured: ${CAPTURE_MODES.join(', ')}`, 'snapshot')
    .option('-o, --output <file>', 'write the selection here (default: print it)')
    .addHelpText(
      'after',
      `
Each filter adds what it matches; a filter that matches nothing is an error, so a typo
cannot silently shrink a migration. The export then adds every dependency of what you
picked (ports, networks, subnets, routers, security groups, keypair, server group,
volumes, images, floating IPs; for a container, the containers that hold its large
objects' segments and its older versions).

Capture modes: snapshot (a live server snapshot, the default), stop (stop the server,
capture, start it again), image (reuse the boot image: for stateless servers).

Examples:
  downpour select --cloud src --server 'web-*' --tag app=shop -o shop.yaml
  downpour select --cloud src --container 'assets-*' -o assets.yaml
  downpour select --cloud src --all --capture stop -o everything.yaml`,
    )
    .action(async (opts: Record<string, unknown>, command: Command) => {
      const ctx = commandContext(command);
      const capture = opts['capture'] as string;
      if (!(CAPTURE_MODES as readonly string[]).includes(capture)) {
        throw new UsageError(`--capture ${capture}: expected one of ${CAPTURE_MODES.join(', ')}`);
      }
      const session = await ctx.connect();
      try {
        const list = (k: string) => (opts[k] as string[] | undefined) ?? [];
        const selection = await selectResources(session, {
          servers: list('server'),
          volumes: list('volume'),
          images: list('image'),
          networks: list('network'),
          securityGroups: list('securityGroup'),
          keypairs: list('keypair'),
          containers: list('container'),
          tags: list('tag'),
          metadata: list('metadata'),
          all: opts['all'] === true,
          capture: capture as CaptureMode,
        });
        const text = renderSelection(selection);
        const output = opts['output'] as string | undefined;
        if (output) writeFileSync(output, text, { mode: 0o600 });
        if (ctx.output.json) printJson(ctx.output, selection);
        else if (output) {
          ctx.output.out(
            table(
              ['kind', 'name', 'id'],
              selection.resources.map((r) => [r.kind, r.name, r.id]),
            ),
          );
          ctx.output.out(
            `\n${selection.resources.length} resources selected; written to ${output}. Next: downpour export ${output} --cloud ${session.cloud.name} -o BUNDLE`,
          );
        } else ctx.output.out(text);
      } finally {
        await session.close();
      }
    });
}
