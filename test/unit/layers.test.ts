import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layers of DESIGN.md §2, top to bottom: a file may import its own layer and those below it.
 * Layers on one line are peers and do not import each other.
 */
const LAYERS: string[][] = [
  ['cli'],
  ['migrate'],
  ['plan', 'render'],
  ['kinds'],
  ['graph', 'bundle', 'select'],
  ['openstack'],
  ['core'],
];
/** Peers that may import each other (the renderers share plan's mapping rules). */
const PEER_EDGES = new Set(['render->plan']);
/** Pure layers: a plan or a rendering is a function of data, with no wire client below it. */
const FORBIDDEN = new Set(['plan->openstack', 'render->openstack']);

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static `import`/`export ... from` and dynamic `import()`), as src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re =
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2];
    if (!spec) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    out.push(relative(SRC, target));
  }
  return out;
}

const layerOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '.');
const rankOf = (layer: string): number => LAYERS.findIndex((l) => l.includes(layer));

const graph = new Map<string, string[]>(sourceFiles(SRC).map((f) => [relative(SRC, f), importsOf(f)]));

describe('source layers', () => {
  it('every file imports only its own layer and the layers below it', () => {
    const violations: string[] = [];
    for (const [from, targets] of graph) {
      const a = layerOf(from);
      if (a === '.') continue;
      for (const to of targets) {
        const b = layerOf(to);
        if (b === a || b === '.') continue;
        const [ra, rb] = [rankOf(a), rankOf(b)];
        expect(ra, `layer of ${from}`).toBeGreaterThanOrEqual(0);
        expect(rb, `layer of ${to}`).toBeGreaterThanOrEqual(0);
        if (!FORBIDDEN.has(`${a}->${b}`) && (rb > ra || PEER_EDGES.has(`${a}->${b}`))) continue;
        violations.push(`${from} imports ${to}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('no two files import each other, directly or through others', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (!graph.has(next)) continue;
        const s = state.get(next);
        if (s === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
        else if (s === undefined) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('reads the imports it checks', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(
      graph.get('kinds/registry.ts')?.length ?? graph.get('kinds/registry/index.ts')?.length,
    ).toBeGreaterThan(0);
  });
});
