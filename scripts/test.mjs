#!/usr/bin/env node
// The whole test suite, as CI and the README run it: start the two local OpenStack clouds when
// they are not running, build, run every tier, and close with one plain summary line.
//   npm test                 every tier (unit, integration, reliability)
//   npm test -- --unit       unit tier only: no cloud needed
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearReliabilitySummaries, reliabilityTable } from './reliability-table.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const passThrough = args.filter((a) => a !== '--unit');
const state = process.env.DPCLOUD_STATE || '/var/lib/downpour-cloud';
const stateB = process.env.DPCLOUDB_STATE || '/var/lib/downpour-cloud-b';
const netnsB = process.env.DPCLOUDB_NETNS || 'downpour-b';

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

/**
 * A local cloud's up.sh, unless its status.sh says every API answers already; its output is
 * streamed line by line behind the cloud's tag, so two can run at once and still be read.
 */
function bringUp(cloud) {
  const began = Date.now();
  const seconds = () => (Date.now() - began) / 1000;
  if (spawnSync('bash', [`${cloud.dir}/status.sh`, '-q'], { cwd: root, stdio: 'ignore' }).status === 0) {
    process.stdout.write(`[${cloud.tag}] already running\n`);
    return Promise.resolve({ status: 0, seconds: seconds() });
  }
  return new Promise((resolve) => {
    const child = spawn('bash', [`${cloud.dir}/up.sh`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.on('data', (d) => {
        const lines = (rest + d.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) process.stdout.write(`[${cloud.tag}] ${line}\n`);
      });
      stream.on('end', () => rest && process.stdout.write(`[${cloud.tag}] ${rest}\n`));
    }
    child.on('error', () => resolve({ status: 1, seconds: seconds() }));
    child.on('close', (code) => resolve({ status: code ?? 1, seconds: seconds() }));
  });
}

if (step('build', () => run('npx', ['tsc', '-p', 'tsconfig.build.json'])) !== 0) process.exit(1);

const env = { ...process.env };
const projects = ['unit'];
if (!unitOnly) {
  // Both local clouds, side by side: the second (2025.1 in its own network namespace) is the
  // longer to build, so it starts first.
  const clouds = [
    { name: 'second local cloud (2025.1)', dir: 'scripts/cloud-b', tag: '2025.1', state: stateB },
    { name: 'local cloud (Zed)', dir: 'scripts/local-cloud', tag: 'zed', state },
  ];
  process.stdout.write('\n== local clouds\n');
  const started = Date.now();
  const results = await Promise.all(clouds.map((c) => bringUp(c)));
  for (const [i, c] of clouds.entries()) {
    const r = results[i];
    process.stdout.write(
      `== ${c.name}: ${r.status === 0 ? 'ok' : `failed (exit ${r.status})`} in ${r.seconds.toFixed(1)} s\n`,
    );
  }
  process.stdout.write(`== local clouds: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const failed = clouds.filter((_, i) => results[i].status !== 0);
  if (failed.length) {
    for (const c of failed)
      process.stderr.write(`The ${c.name} did not start; its logs are under ${c.state}.\n`);
    process.exit(1);
  }
  // Not fatal: without these, the tests that need them fail and say why.
  step('test tools', () => run('bash', ['scripts/install-test-tools.sh']));
  env.OS_CLIENT_CONFIG_FILE = join(state, 'clouds.yaml');
  env.DOWNPOUR_CLOUD_B_CLOUDS = join(stateB, 'clouds.yaml');
  env.DOWNPOUR_CLOUD_B_NETNS = netnsB;
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
