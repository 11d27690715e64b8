import type { Command } from 'commander';
import { streamLogger, silentLogger, type Logger } from '../core/log.js';
import { loadCloudConfig } from '../openstack/config/loader.js';
import { Session } from '../openstack/session/session.js';
import { processOutput, type Output } from './output.js';

/** Options every command accepts. */
export interface GlobalOptions {
  cloud?: string;
  region?: string;
  json?: boolean;
  debug?: boolean;
}

/** What a command needs from the global flags: output, logger, and a way to open a cloud. */
export interface CommandContext {
  options: GlobalOptions;
  output: Output;
  logger: Logger;
  connect(cloudName?: string): Promise<Session>;
}

export function commandContext(command: Command): CommandContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const output = processOutput(Boolean(options.json));
  const logger = options.debug ? streamLogger((l) => process.stderr.write(l), 'debug') : silentLogger;
  return {
    options,
    output,
    logger,
    async connect(cloudName) {
      const cloud = loadCloudConfig({ cloud: cloudName ?? options.cloud, regionName: options.region });
      return Session.connect(cloud, { logger });
    },
  };
}
