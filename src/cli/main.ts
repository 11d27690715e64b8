import { Command, CommanderError, Option } from 'commander';
import { DownpourError, ExitCode, errorMessage } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { registerBundleCommands } from './commands/bundle.js';
import { registerCloudsCommand } from './commands/clouds.js';
import { registerExportCommand } from './commands/export.js';
import { registerImportCommands } from './commands/import.js';
import { registerRenderCommand } from './commands/render.js';
import { registerSelectCommand } from './commands/select.js';
import { processOutput } from './output.js';
import { VERSION } from '../version.js';

export type { GlobalOptions } from './context.js';

export function buildProgram(): Command {
  const program = new Command('downpour')
    .description(
      'Move OpenStack workloads between clouds with ordinary project credentials.\n\n' +
        'Clouds are read from clouds.yaml exactly as the openstack CLI reads them\n' +
        '(OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/), or from OS_* variables.',
    )
    .version(VERSION, '-V, --version')
    .addOption(new Option('--cloud <name>', 'cloud from clouds.yaml (default: $OS_CLOUD)'))
    .addOption(
      new Option('--region <name>', 'region (default: region_name in clouds.yaml, or $OS_REGION_NAME)'),
    )
    .option('--json', 'machine-readable output on stdout; no progress display')
    .option('--debug', 'log every HTTP request and response to stderr (tokens and passwords are redacted)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .exitOverride();
  registerCloudsCommand(program);
  registerSelectCommand(program);
  registerExportCommand(program);
  registerBundleCommands(program);
  registerImportCommands(program);
  registerRenderCommand(program);
  program.addHelpText(
    'after',
    `
Exit codes:
  0    success
  1    unexpected failure (a bug: run again with --debug and report it)
  2    usage or bad input (flags, clouds.yaml, selection, mapping file)
  3    partial: state saved, run the same command again
  4    preflight refused, nothing created (quota, mapping, missing API)
  5    authentication or authorisation refused
  6    bundle integrity (missing, truncated or tampered data)
  7    another run holds the bundle or the destination (the error names it)
  8    the disk under the bundle is full: what was written is kept
  9    an endpoint cannot be reached, does not answer, fails TLS, or is not OpenStack's
  130  interrupted: state saved

Examples:
  downpour clouds                          list the clouds in clouds.yaml
  downpour clouds --cloud src              authenticate and describe what the cloud offers
  downpour select --cloud src --server 'web-*' -o shop.yaml
  downpour export shop.yaml --cloud src -o shop.bundle
  downpour inspect shop.bundle             what the bundle holds
  downpour verify shop.bundle              size and SHA-256 of every blob
  downpour pack shop.bundle -o shop.tar    one file to carry
  downpour plan shop.tar --cloud dst       what an import would do; preflight
  downpour import shop.tar --cloud dst     create it at the destination (resumable)
  downpour destroy shop.tar --cloud dst    remove exactly what the import created`,
  );
  return program;
}

/** Runs the CLI and returns the exit code: the one place where errors become exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  const wantsJson = argv.includes('--json');
  const output = processOutput(wantsJson);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return ExitCode.ok;
      return ExitCode.usage;
    }
    if (err instanceof DownpourError) {
      if (wantsJson) process.stdout.write(`${JSON.stringify(err.toJSON(), null, 2)}\n`);
      output.err(`downpour: error: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
      return err.exitCode;
    }
    output.err(
      `downpour: unexpected error: ${errorMessage(err)}\n` +
        `This is a bug in Downpour; please report it with the output of the same command run with --debug.` +
        (argv.includes('--debug') && err instanceof Error && err.stack ? `\n${redact(err.stack)}` : ''),
    );
    return ExitCode.unexpected;
  }
}
