/**
 * Running a measured command: wall time from spawn to exit, peak RSS from GNU time (`%M`, the
 * largest resident set of the process it waited for), a hard timeout that kills the whole process
 * group, and stdout and stderr kept in files of the run's log folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const GNU_TIME = '/usr/bin/time';

export interface Run {
  /** What ran, for the log and the JSON (never holds a token: tokens go in header files). */
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  seconds: number;
  /** Peak resident set in KiB, as GNU time reports it. */
  peakRssKiB: number | undefined;
  stdoutFile: string;
  stderrFile: string;
}

export interface RunOptions {
  /** Short name for the log files, e.g. `export-64-downpour-2`. */
  label: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs: number;
}

/** Process groups still running, so an interrupted bench can stop them. */
const running = new Set<number>();

export function killRunning(): void {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export class Runner {
  private seq = 0;
  constructor(
    readonly logDir: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Run `argv` under GNU time; resolves when it exits, whatever its status. */
  async run(argv: readonly string[], options: RunOptions): Promise<Run> {
    const base = join(this.logDir, `${String(++this.seq).padStart(3, '0')}-${options.label}`);
    const stdoutFile = `${base}.out`;
    const stderrFile = `${base}.err`;
    const timeFile = `${base}.time`;
    const out = openSync(stdoutFile, 'w');
    const err = openSync(stderrFile, 'w');
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('nothing to run');
    const started = performance.now();
    let timedOut = false;
    const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        // Its own process group, so a timeout kills the tool and everything it started.
        const child = spawn(GNU_TIME, ['-f', '%M', '-o', timeFile, cmd, ...args], {
          cwd: options.cwd,
          env: options.env,
          stdio: ['ignore', out, err],
          detached: true,
        });
        const pgid = child.pid;
        if (pgid !== undefined) running.add(pgid);
        const timer = setTimeout(() => {
          timedOut = true;
          if (pgid !== undefined) {
            try {
              process.kill(-pgid, 'SIGKILL');
            } catch {
              // exited meanwhile
            }
          }
        }, options.timeoutMs);
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          if (pgid !== undefined) running.delete(pgid);
          resolve({ code, signal });
        });
      },
    );
    const seconds = (performance.now() - started) / 1000;
    closeSync(out);
    closeSync(err);
    const run: Run = {
      command: argv.join(' '),
      ...result,
      // GNU time reports the child's status as its own; a child killed by a signal shows as
      // "Command terminated by signal" in the time file and a non-zero exit here.
      timedOut,
      seconds,
      peakRssKiB: peakRss(timeFile),
      stdoutFile,
      stderrFile,
    };
    this.log(
      `  ${options.label}: ${seconds.toFixed(2)} s, peak RSS ${run.peakRssKiB ?? '?'} KiB` +
        `${ok(run) ? '' : `, ${timedOut ? 'timed out' : `exit ${result.code ?? result.signal}`}`}`,
    );
    return run;
  }
}

function peakRss(timeFile: string): number | undefined {
  if (!existsSync(timeFile)) return undefined;
  const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
  const value = Number(lines[lines.length - 1]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export function ok(run: Run): boolean {
  return run.code === 0 && !run.timedOut;
}

/** The end of a failed run's stderr, for the report. */
export function failureOf(run: Run): string {
  const tail = readFileSync(run.stderrFile, 'utf8').trim().split('\n').slice(-3).join(' / ');
  const why = run.timedOut ? 'timed out' : `exit ${run.code ?? run.signal}`;
  return `${why}${tail ? `: ${tail.slice(0, 400)}` : ''}`;
}

export function stdoutOf(run: Run): string {
  return readFileSync(run.stdoutFile, 'utf8');
}

export function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One contender of a side-by-side measurement. */
export interface Contender<T> {
  name: string;
  /** One repetition; `rep` counts from 0. */
  run(rep: number): Promise<T>;
}

/**
 * Every contender once per repetition, the starting contender rotating from one repetition to
 * the next, so a slow minute of a noisy machine falls on all of them alike.
 */
export async function sideBySide<T>(
  reps: number,
  contenders: readonly Contender<T>[],
): Promise<Map<string, T[]>> {
  const samples = new Map<string, T[]>(contenders.map((c) => [c.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(rep + i) % contenders.length];
      if (!c) continue;
      samples.get(c.name)?.push(await c.run(rep));
    }
  }
  return samples;
}
