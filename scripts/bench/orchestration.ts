/**
 * Orchestration: the import of the graph's bundle into `dst`, timed side by side with a generated
 * shell script of `openstack` CLI calls and a generated Ansible playbook creating the same
 * resources, each run checked by the witness and cleaned up before the next.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportReport } from '../../src/migrate/import.js';
import { prepareAnsible } from './ansible.js';
import { cleanDst, command, downpour, type BenchContext } from './context.js';
import { atMost, notMeasured, seconds, type Figure } from './figures.js';
import { cliScript, KNOWN_CRASH_MARKER, playbook } from './competitors.js';
import type { GraphSpec } from './graph.js';
import { failureOf, median, ok, sideBySide, stdoutOf, type Run } from './measure.js';
import { witnessGraph, type Witnessed } from './witness.js';

interface Sample {
  ok: boolean;
  seconds: number;
  failure?: string;
  witness?: Witnessed;
  note?: string;
}

const MIN = 60_000;

function parse<T>(run: Run): T {
  return JSON.parse(stdoutOf(run)) as T;
}

export async function orchestrationBench(
  ctx: BenchContext,
  spec: GraphSpec,
  bundle: string,
  reps: number,
): Promise<{ figures: Figure[]; raw: Record<string, unknown> }> {
  const n = spec.servers.length;
  const keyFile = join(ctx.workDir, 'graph-key.pub');
  writeFileSync(keyFile, `${spec.keypair.publicKey}\n`);
  const script = cliScript(spec, 'dst', keyFile);
  const scriptFile = join(ctx.workDir, 'graph-cli.sh');
  writeFileSync(scriptFile, script.text, { mode: 0o700 });
  const playbookFile = join(ctx.workDir, 'graph-playbook.yml');
  writeFileSync(playbookFile, playbook(spec, 'dst'));
  const ansible = prepareAnsible(ctx.workDir, ctx.env);

  /** Time one contender, let the witness count what it made, then clean dst for the next one. */
  const timed = async (
    label: string,
    run: () => Promise<Run>,
    options: { after?: (run: Run) => string | undefined; cleanup?: () => Promise<void> } = {},
  ): Promise<Sample> => {
    ctx.log(`orchestration: ${label}`);
    let sample: Sample;
    try {
      const r = await run();
      const witness = await witnessGraph(ctx, spec, `${label.replace(/\W+/g, '-')}-witness`);
      const problem = !ok(r)
        ? failureOf(r)
        : witness.ok
          ? undefined
          : `witness: ${witness.missing.join(', ')}`;
      const note = options.after?.(r);
      sample = {
        ok: problem === undefined,
        seconds: r.seconds,
        witness,
        ...(problem ? { failure: problem } : {}),
        ...(note ? { note } : {}),
      };
    } finally {
      await (options.cleanup ?? (() => cleanDst(ctx)))();
    }
    ctx.log(`orchestration: ${label}: ${sample.ok ? seconds(sample.seconds) : `failed (${sample.failure})`}`);
    return sample;
  };

  const contenders = [
    {
      name: 'downpour',
      run: (rep: number) => {
        const state = join(ctx.workDir, `orchestration-${rep}.state`);
        return timed(
          `downpour import ${n} servers #${rep + 1}`,
          () =>
            downpour(
              ctx,
              ['import', bundle, '--cloud', 'dst', '--state', state, '--json'],
              `orch-downpour-${rep}`,
              30 * MIN,
            ),
          {
            after: (r) =>
              ok(r) && parse<ImportReport>(r).outcome !== 'complete' ? 'import outcome partial' : undefined,
            cleanup: async () => {
              await cleanDst(ctx, bundle, state);
              rmSync(state, { recursive: true, force: true });
            },
          },
        );
      },
    },
    {
      name: 'cli',
      run: (rep: number) =>
        timed(`openstack CLI script ${n} servers #${rep + 1}`, () =>
          command(ctx, ['/bin/bash', scriptFile], `orch-cli-${rep}`, 60 * MIN),
        ),
    },
    ...(ansible.ready
      ? [
          {
            name: 'ansible',
            run: (rep: number) =>
              timed(
                `ansible playbook ${n} servers #${rep + 1}`,
                () =>
                  command(
                    ctx,
                    ansible.ansible.argv(playbookFile),
                    `orch-ansible-${rep}`,
                    60 * MIN,
                    ansible.ansible.env,
                  ),
                {
                  after: (r) => {
                    const m = new RegExp(`${KNOWN_CRASH_MARKER} (\\d+)`).exec(
                      readFileSync(r.stdoutFile, 'utf8'),
                    );
                    return m
                      ? `server module crashed after creating the server (ignored): ${m[1]} of ${n}`
                      : undefined;
                  },
                },
              ),
          },
        ]
      : []),
  ];
  const samples = await sideBySide(reps, contenders);
  const good = (name: string) => (samples.get(name) ?? []).filter((s) => s.ok);
  const med = (name: string) => median(good(name).map((s) => s.seconds));
  const dp = med('downpour');
  const dpText =
    dp === undefined
      ? `failed: ${(samples.get('downpour') ?? []).map((s) => s.failure).join('; ')}`
      : seconds(dp);

  const figures: Figure[] = [];
  const playbookBase = {
    family: 'orchestration' as const,
    figure: `import of ${n} servers vs Ansible playbook`,
    ratioMeaning: 'Downpour time / playbook time',
    target: '≤ 0.2',
  };
  if (!ansible.ready) figures.push(notMeasured(playbookBase, ansible.reason));
  else {
    const pb = med('ansible');
    const ratio = dp !== undefined && pb !== undefined ? dp / pb : undefined;
    const notes = (samples.get('ansible') ?? []).map((s) => s.note ?? s.failure).filter(Boolean);
    figures.push({
      ...playbookBase,
      downpour: dpText,
      competitor:
        pb === undefined
          ? `failed: ${(samples.get('ansible') ?? []).map((s) => s.failure).join('; ')}`
          : seconds(pb),
      ratio,
      met: atMost(ratio, 0.2),
      note: `${ansible.ansible.description}; tasks one at a time${notes.length ? `; ${[...new Set(notes)].join('; ')}` : ''}`,
    });
  }
  const cli = med('cli');
  const cliRatio = dp !== undefined && cli !== undefined ? dp / cli : undefined;
  figures.push({
    family: 'orchestration',
    figure: `import of ${n} servers vs openstack CLI script`,
    downpour: dpText,
    competitor:
      cli === undefined
        ? `failed: ${(samples.get('cli') ?? []).map((s) => s.failure).join('; ')}`
        : seconds(cli),
    ratio: cliRatio,
    ratioMeaning: 'Downpour time / script time',
    target: '—',
    met: undefined,
    note: `${script.calls} openstack CLI calls, one at a time (server create --wait)`,
  });
  return {
    figures,
    raw: {
      reps,
      samples: Object.fromEntries(samples),
      ansible: ansible.ready ? ansible.ansible.description : ansible.reason,
      cliCalls: script.calls,
    },
  };
}
