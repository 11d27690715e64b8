// The reliability table: what the tests in test/reliability left in .downpour-test/reliability/
// (one JSON summary per test file), as one plain table. Used by `npm run test:reliability` and
// by `npm test` after the reliability project has run.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const summaryDir = (root) => join(root, '.downpour-test', 'reliability');

/** Forget the summaries of an earlier run, so the table only ever shows this one. */
export function clearReliabilitySummaries(root) {
  rmSync(summaryDir(root), { recursive: true, force: true });
}

function table(headers, rows) {
  const cells = rows.map((r) => r.map((c) => String(c ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The table as text, or undefined when no reliability test left a summary. */
export function reliabilityTable(root) {
  const dir = summaryDir(root);
  if (!existsSync(dir)) return undefined;
  const parts = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  if (parts.length === 0) return undefined;
  const faults = parts.flatMap((p) => p.faults ?? []);
  const kills = parts.flatMap((p) => p.kills ?? []);
  const bad = parts.flatMap((p) => p.badInputs ?? []);
  const secrets = parts.map((p) => p.secrets).filter(Boolean);
  const tls = parts.flatMap((p) => p.tls ?? []);
  const out = ['Reliability (test/reliability)', ''];

  if (faults.length) {
    const label = (kind) => (kind === 'status' ? 'status (5xx)' : kind);
    const survived = (r) => (r.survived ? r.injected : 0);
    out.push(
      table(
        ['faults between Downpour and the cloud', 'injected', 'survived'],
        [
          ...faults.map((r) => [`${r.phase}: ${label(r.kind)}`, r.injected, survived(r)]),
          ['total', faults.reduce((n, r) => n + r.injected, 0), faults.reduce((n, r) => n + survived(r), 0)],
        ],
      ),
      '',
    );
  }
  if (kills.length) {
    const yes = (b) => (b ? 'yes' : 'NO');
    const seconds = (s) => (s === undefined ? '-' : s.toFixed(0));
    const totals = ['export', 'import']
      .map((command) => [command, kills.filter((r) => r.command === command)])
      .filter(([, rows]) => rows.length > 0)
      .map(([command, rows]) => [
        `${command}: total`,
        `${rows.length} tried`,
        `${rows.filter((r) => r.killed && r.passed).length} passed`,
        '',
      ]);
    out.push(
      table(
        ['kill -9, then the same command again', 'killed', 'passed', 'rerun (s)'],
        [
          ...kills.map((r) => [
            `${r.command}: ${r.moment}`,
            yes(r.killed),
            yes(r.killed && r.passed),
            seconds(r.rerunSeconds),
          ]),
          ...totals,
        ],
      ),
      '',
    );
  }
  if (bad.length) {
    out.push(
      table(
        ['bad input', 'exit (wanted)', 'refused cleanly'],
        [
          ...bad.map((r) => [r.input, `${r.exit ?? '-'} (${r.expectedExit})`, r.clean ? 'yes' : 'NO']),
          ['total', `${bad.length} tried`, `${bad.filter((r) => r.clean).length} clean`],
        ],
      ),
      '',
    );
  }
  for (const s of secrets) {
    out.push(
      `secrets found: ${s.found.length} (looked for ${s.secretsLookedFor} passwords, credential secrets and tokens, ` +
        `and anything token-shaped, in ${s.scannedFiles} files, ${(s.scannedBytes / 1048576).toFixed(1)} MiB, ` +
        `and the output of ${s.commands} commands)`,
    );
    for (const f of s.found) out.push(`  - ${f}`);
  }
  if (tls.length) out.push(`TLS: ${tls.map((t) => `${t.case} ${t.ok ? 'yes' : 'NO'}`).join('; ')}`);
  return out.join('\n');
}
