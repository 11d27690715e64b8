#!/usr/bin/env node
// The whole test suite, as CI and the README run it: start the local OpenStack when it is
// not running, build, run every tier, and close with one plain summary line.
//   npm test                 every tier (unit, integration, reliability)
//   npm test -- --unit       unit tier only: no cloud needed
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearReliabilitySummaries, reliabilityTable } from './reliability-table.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const passThrough = args.filter((a) => a !== '--unit');
const state = process.env.DPCLOUD_STATE || '/var/lib/downpour-cloud';

function run(cmd, cmdArgs, options = {}) {
  const started = Date.now();
  const res = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, ...options });
  return { status: res.status ?? 1, seconds: (Date.now() - started) / 1000 };
}

function step(name, fn) {
  process.stdout.write(`\n== ${name}\n`);
  const { status, seconds } = fn();
  process.stdout.write(
    `== ${name}: ${status === 0 ? 'ok' : `failed (exit ${status})`} in ${seconds.toFixed(1)} s\n`,
  );
  return status;
}

if (step('build', () => run('npx', ['tsc', '-p', 'tsconfig.build.json'])) !== 0) process.exit(1);

const env = { ...process.env };
const projects = ['unit'];
if (!unitOnly) {
  const up = step('local cloud', () => {
    const status = run('bash', ['scripts/local-cloud/status.sh'], { stdio: 'ignore' });
    if (status.status === 0) {
      process.stdout.write('local cloud already running\n');
      return status;
    }
    return run('bash', ['scripts/local-cloud/up.sh']);
  });
  if (up !== 0) {
    process.stderr.write(`The local cloud did not start; its logs are in ${state}/log.\n`);
    process.exit(1);
  }
  // Not fatal: without these, the tests that need them fail and say why.
  step('test tools', () => run('bash', ['scripts/install-test-tools.sh']));
  env.OS_CLIENT_CONFIG_FILE = join(state, 'clouds.yaml');
  delete env.OS_CLOUD;
  projects.push('integration', 'reliability');
  clearReliabilitySummaries(root);
}

const reportDir = join(root, '.downpour-test');
mkdirSync(reportDir, { recursive: true });
const report = join(reportDir, 'vitest.json');
const vitestArgs = [
  'vitest',
  'run',
  ...projects.flatMap((p) => ['--project', p]),
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...passThrough,
];
const tests = step(`tests (${projects.join(', ')})`, () => run('npx', vitestArgs, { env }));

let passed = 0,
  failed = 0,
  skipped = 0;
if (existsSync(report)) {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed = result.numPassedTests ?? 0;
  failed = result.numFailedTests ?? 0;
  skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  // A file that fails to load fails no single test: count it so the summary cannot read green.
  if (tests !== 0 && failed === 0) failed = result.numFailedTestSuites || 1;
} else if (tests !== 0) {
  failed = 1;
}
const reliability = reliabilityTable(root);
if (reliability) process.stdout.write(`\n${reliability}\n`);
process.stdout.write(`\ndownpour: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(tests === 0 && failed === 0 ? 0 : 1);
