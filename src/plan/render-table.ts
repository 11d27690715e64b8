import { formatBytes } from '../core/progress.js';
import { compareStrings } from './context.js';
import type { Finding, Plan, PlanAction, PlannedNode } from './types.js';

const SECTIONS: { action: PlanAction; title: string }[] = [
  { action: 'create', title: 'Create' },
  { action: 'reuse', title: 'Reuse (already at the destination, nothing uploaded)' },
  { action: 'map', title: 'Map to existing destination objects' },
  { action: 'merge', title: "Merge into the destination's own objects" },
];

/** Columns padded to their widest cell; the last column is not padded. */
export function formatColumns(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

const nameOf = (n: PlannedNode): string => n.name ?? n.key.slice(n.key.indexOf(':') + 1);

function target(n: PlannedNode): string {
  if (!n.target) return '(unresolved)';
  return n.target.name && n.target.name !== n.target.id ? `${n.target.name} (${n.target.id})` : n.target.id;
}

/** Destination values that differ from the source's, in a few words: "flavor m1.small, az (cloud chooses)". */
function details(n: PlannedNode): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(n.overrides ?? {}).sort(([a], [b]) => compareStrings(a, b))) {
    parts.push(`${k}=${v === null ? '(cloud chooses)' : typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  if (n.reason) parts.push(n.reason);
  return parts.join('; ');
}

function findingLine(f: Finding): string[] {
  return [f.severity.toUpperCase(), f.code, f.key ?? '', f.message];
}

/**
 * A readable table of a plan for the CLI: per action, the nodes by kind with names, targets and
 * bytes to upload; then the findings, errors first; then one summary line.
 */
export function renderPlanTable(plan: Plan): string {
  const d = plan.destination;
  const out: string[] = [
    `Plan for bundle ${plan.bundleId} into cloud ${d.cloud}, project ${d.project.name} (${d.project.id})${d.region ? `, region ${d.region}` : ''}`,
  ];
  for (const { action, title } of SECTIONS) {
    const nodes = plan.nodes
      .filter((n) => n.action === action)
      .sort(
        (a, b) =>
          compareStrings(a.kind, b.kind) ||
          compareStrings(nameOf(a), nameOf(b)) ||
          compareStrings(a.key, b.key),
      );
    if (!nodes.length) continue;
    out.push('', `${title}: ${nodes.length}`);
    const rows: string[][] = [
      action === 'create' ? ['KIND', 'NAME', 'UPLOAD', 'DETAILS'] : ['KIND', 'NAME', 'TARGET', 'DETAILS'],
    ];
    for (const n of nodes) {
      const third = action === 'create' ? (n.uploadBytes ? formatBytes(n.uploadBytes) : '-') : target(n);
      rows.push([n.kind, nameOf(n), third, details(n)]);
    }
    out.push(...formatColumns(rows));
  }
  if (plan.findings.length) {
    const order = { error: 0, warning: 1, info: 2 } as const;
    const findings = [...plan.findings].sort((a, b) => order[a.severity] - order[b.severity]);
    out.push('', `Findings: ${plan.findings.length}`, ...formatColumns(findings.map(findingLine)));
  }
  const t = plan.totals;
  const errors = plan.findings.filter((f) => f.severity === 'error').length;
  const warnings = plan.findings.filter((f) => f.severity === 'warning').length;
  out.push(
    '',
    `${t.create} to create, ${t.reuse} to reuse, ${t.map} mapped, ${t.merge} to merge; ${formatBytes(t.uploadBytes)} to upload. ` +
      (plan.ok
        ? `Ready to import${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.`
        : `Refused: ${errors} error${errors === 1 ? '' : 's'} (nothing will be created until they are fixed).`),
  );
  return `${out.join('\n')}\n`;
}
