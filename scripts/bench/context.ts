/**
 * What every benchmark family gets: the clouds, the measured-command runner, the tools' paths and
 * environment, the run's prefix and work folder, and the deadline that makes the bench stop by
 * itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweep, type BenchClouds } from './cloud.js';
import { failureOf, ok, type Run, type Runner } from './measure.js';

export const OPENSTACK_CLI = '/usr/bin/openstack';
export const CURL = '/usr/bin/curl';

export class DeadlineError extends Error {
  constructor() {
    super('the run reached its time limit (--max-minutes)');
  }
}

export interface BenchContext {
  /** The checkout whose `bin/downpour.js` is measured. */
  root: string;
  workDir: string;
  prefix: string;
  clouds: BenchClouds;
  runner: Runner;
  /** Environment of every tool: the bench's clouds.yaml, no proxies, no OS_* of the caller. */
  env: NodeJS.ProcessEnv;
  /** Epoch ms after which no new command starts. */
  deadline: number;
  log: (line: string) => void;
}

export function toolEnvironment(cloudsFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('OS_') || /^(https?|all|no)_proxy$/i.test(k)) continue;
    env[k] = v;
  }
  env['OS_CLIENT_CONFIG_FILE'] = cloudsFile;
  // Everything is on 127.0.0.1: no request may leave through a proxy.
  env['NO_PROXY'] = '*';
  env['no_proxy'] = '*';
  return env;
}

/** The time a command may take: its own limit, cut to what is left before the deadline. */
export function timeout(ctx: BenchContext, limitMs: number): number {
  const left = ctx.deadline - Date.now();
  if (left <= 0) throw new DeadlineError();
  return Math.min(limitMs, left);
}

export function downpour(
  ctx: BenchContext,
  args: readonly string[],
  label: string,
  limitMs = 30 * 60_000,
): Promise<Run> {
  return ctx.runner.run([process.execPath, join(ctx.root, 'bin', 'downpour.js'), ...args], {
    label,
    env: ctx.env,
    cwd: ctx.workDir,
    timeoutMs: timeout(ctx, limitMs),
  });
}

export function openstack(
  ctx: BenchContext,
  args: readonly string[],
  label: string,
  limitMs = 30 * 60_000,
): Promise<Run> {
  return ctx.runner.run([OPENSTACK_CLI, ...args], {
    label,
    env: ctx.env,
    cwd: ctx.workDir,
    timeoutMs: timeout(ctx, limitMs),
  });
}

/** Any other command (curl, bash, ansible-playbook). */
export function command(
  ctx: BenchContext,
  argv: readonly string[],
  label: string,
  limitMs = 30 * 60_000,
  env: NodeJS.ProcessEnv = ctx.env,
): Promise<Run> {
  return ctx.runner.run(argv, { label, env, cwd: ctx.workDir, timeoutMs: timeout(ctx, limitMs) });
}

/**
 * A curl header file holding the project's current token (`curl -H @file`), so no token ever
 * shows in a command line, a process list or the run's logs.
 */
export async function tokenHeaderFile(ctx: BenchContext, cloud: 'src' | 'dst'): Promise<string> {
  const { token } = await ctx.clouds[cloud].session.token();
  const file = join(ctx.workDir, `token-${cloud}.headers`);
  writeFileSync(file, `X-Auth-Token: ${token}\n`, { mode: 0o600 });
  return file;
}

export async function imageEndpoint(ctx: BenchContext, cloud: 'src' | 'dst'): Promise<string> {
  return ctx.clouds[cloud].session.endpoint('image');
}

/**
 * Remove what the run made in `dst`: Downpour's own `destroy` for one of its imports (a failed
 * destroy is logged and left to the sweep), then the sweep by prefix.
 */
export async function cleanDst(ctx: BenchContext, bundle?: string, state?: string): Promise<void> {
  if (bundle && state) {
    try {
      const run = await downpour(
        ctx,
        ['destroy', bundle, '--cloud', 'dst', '--state', state, '--json'],
        'destroy',
        20 * 60_000,
      );
      if (!ok(run)) ctx.log(`destroy failed (${failureOf(run)}); sweeping by name`);
    } catch (err) {
      ctx.log(`destroy did not run (${(err as Error).message}); sweeping by name`);
    }
  }
  await sweep(ctx.clouds.dst, ctx.prefix, () => undefined);
}
