#!/usr/bin/env node
// `npm run test:reliability`: build, run the reliability tier (faults through a proxy, kill -9
// sweeps, bad input, secrets and TLS) against the local cloud, then print its table. `npm test`
// runs the same tests among the others.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearReliabilitySummaries, reliabilityTable } from './reliability-table.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const state = process.env.DPCLOUD_STATE || '/var/lib/downpour-cloud';
const env = { ...process.env };
if (!env.OS_CLIENT_CONFIG_FILE && existsSync(join(state, 'clouds.yaml')))
  env.OS_CLIENT_CONFIG_FILE = join(state, 'clouds.yaml');
delete env.OS_CLOUD;

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env }).status ?? 1;

if (run('npx', ['tsc', '-p', 'tsconfig.build.json']) !== 0) process.exit(1);
clearReliabilitySummaries(root);
const status = run('npx', ['vitest', 'run', '--project', 'reliability', ...process.argv.slice(2)]);
const text = reliabilityTable(root);
process.stdout.write(`\n${text ?? 'No reliability summary was written (were the tests skipped?).'}\n`);
process.exit(status);
