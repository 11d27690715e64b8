/** bench/results.md and bench/results.json: the figures, the machine, and what ran. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Family, Figure } from './figures.js';
import type { CountPoint } from './requests.js';

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  tools: Record<string, string>;
  /** The last commit that changed Downpour itself (src/, bin/), which is what is measured. */
  code: { commit: string; subject: string; dirty: boolean };
}

function firstLine(argv: string[], cwd?: string): string {
  try {
    return execFileSync(argv[0] as string, argv.slice(1), {
      encoding: 'utf8',
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n')[0] as string;
  } catch {
    return 'unknown';
  }
}

export function machineFacts(root: string): Machine {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: `Linux ${release()}`,
    node: process.version,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    tools: {
      curl: firstLine(['/usr/bin/curl', '--version']),
      openstack: firstLine(['/usr/bin/openstack', '--version']),
      glance: firstLine(['dpkg-query', '-W', '-f', 'glance-api ${Version}', 'glance-api']),
      nova: firstLine(['dpkg-query', '-W', '-f', 'nova-api ${Version}', 'nova-api']),
    },
    code: {
      commit: firstLine(['git', 'log', '-1', '--format=%h', '--', 'src', 'bin', 'package-lock.json'], root),
      subject: firstLine(['git', 'log', '-1', '--format=%s', '--', 'src', 'bin', 'package-lock.json'], root),
      dirty: firstLine(['git', 'status', '--porcelain', '--', 'src', 'bin'], root) !== '',
    },
  };
}

export interface Results {
  machine: Machine;
  run: {
    prefix: string;
    where: string;
    options: Record<string, unknown>;
    minutes: number;
    familyMinutes: Record<string, number>;
  };
  figures: Figure[];
  details: Record<string, unknown>;
}

const met = (m: boolean | undefined) => (m === undefined ? '—' : m ? 'yes' : '**no**');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function requestTable(
  title: string,
  points: CountPoint[] | undefined,
  kinds: { kind: string; counts: number[] }[] | undefined,
): string[] {
  if (!points?.length) return [];
  const lines = [
    `**${title}** (requests; ${points.map((p) => `${p.servers} servers = ${p.resources} resources`).join(', ')})`,
    '',
    `| request | ${points.map((p) => `${p.servers}`).join(' | ')} |`,
    `| --- | ${points.map(() => '---:').join(' | ')} |`,
    `| **all** | ${points.map((p) => p.counts.total).join(' | ')} |`,
    ...(kinds ?? []).map((k) => `| \`${cell(k.kind)}\` | ${k.counts.join(' | ')} |`),
    '',
  ];
  return lines;
}

export function renderMarkdown(results: Results): string {
  const { machine: m, run } = results;
  const out: string[] = [
    '# Downpour benchmarks',
    '',
    `Written by \`npm run bench\` (see [docs/benchmarks.md](../docs/benchmarks.md)). Every ratio compares tools measured side by side in the same run, repetitions interleaved; times are medians.`,
    '',
    `- **When**: ${m.date}; the full run took ${run.minutes.toFixed(1)} min (${Object.entries(
      run.familyMinutes,
    )
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}).`,
    `- **Machine**: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB memory, ${m.kernel}, Node ${m.node}; load average ${m.loadAverageAtStart.join(' / ')} at the start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.join(' / ')} at the end` : ''} (the machine is shared).`,
    `- **Cloud**: the local OpenStack on 127.0.0.1 (${m.tools['glance']}, ${m.tools['nova']}); ${run.where}.`,
    `- **Code measured**: Downpour as of ${m.code.commit} "${m.code.subject}"${m.code.dirty ? ', with uncommitted changes in src/ or bin/' : ''}.`,
    `- **Tools**: ${m.tools['curl']?.split(' ').slice(0, 2).join(' ')}; ${m.tools['openstack']}; GNU time for peak RSS.`,
    `- **Options**: ${Object.entries(run.options)
      .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(',') : String(v)}`)
      .join('; ')}.`,
    '',
    '| family | figure | Downpour | competitor | ratio | target | met? |',
    '| --- | --- | --- | --- | ---: | --- | --- |',
  ];
  const notes: string[] = [];
  const order: Family[] = ['data path', 'memory', 'orchestration', 'requests', 'parallel transfers'];
  const figures = [...results.figures].sort((a, b) => order.indexOf(a.family) - order.indexOf(b.family));
  for (const f of figures) {
    let figure = cell(f.figure);
    if (f.note) {
      notes.push(f.note);
      figure += ` [${notes.length}]`;
    }
    out.push(
      `| ${f.family} | ${figure} | ${cell(f.downpour)} | ${cell(f.competitor)} | ${f.ratio === undefined ? '—' : f.ratio.toFixed(2)} | ${cell(f.target)} | ${met(f.met)} |`,
    );
  }
  out.push('', 'Ratios:', '');
  const meanings = new Map<string, string>();
  for (const f of figures) if (f.ratioMeaning) meanings.set(`${f.family}: ${f.ratioMeaning}`, '');
  for (const k of meanings.keys()) out.push(`- ${k}`);
  if (notes.length) {
    out.push('', 'Notes:', '');
    notes.forEach((n, i) => out.push(`${i + 1}. ${n}`));
  }
  const requests = (results.details['graph'] as { requests?: Record<string, unknown> } | undefined)?.requests;
  if (requests) {
    out.push('', '## Request counts', '');
    out.push(
      ...requestTable(
        'Export',
        requests['exports'] as CountPoint[] | undefined,
        requests['topExportKinds'] as { kind: string; counts: number[] }[],
      ),
      ...requestTable(
        'Import',
        requests['imports'] as CountPoint[] | undefined,
        requests['topImportKinds'] as { kind: string; counts: number[] }[],
      ),
    );
    out.push('Only the most frequent kinds are listed; results.json has every kind.');
  }
  return `${out.join('\n')}\n`;
}

export function writeResults(dir: string, results: Results): { markdown: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, 'results.md');
  const json = join(dir, 'results.json');
  writeFileSync(markdown, renderMarkdown(results));
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  return { markdown, json };
}
