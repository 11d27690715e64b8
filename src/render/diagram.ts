import type { GraphDocument, GraphNode } from '../kinds/model.js';

const label = (n: GraphNode) => `${n.kind}\\n${(n.name ?? n.sourceId).replace(/"/g, "'")}`;

/** Graphviz: dependencies point from a resource to what it needs; pre-existing resources are dashed. */
export function toDot(graph: GraphDocument): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.key, `n${i}`]));
  const lines = ['digraph downpour {', '  rankdir=LR;', '  node [shape=box, fontsize=10];'];
  for (const n of graph.nodes) {
    lines.push(
      `  ${ids.get(n.key)} [label="${label(n)}"${n.disposition === 'existing' ? ', style=dashed' : ''}${n.selected ? ', penwidth=2' : ''}];`,
    );
  }
  for (const n of graph.nodes)
    for (const d of n.dependsOn) if (ids.has(d)) lines.push(`  ${ids.get(n.key)} -> ${ids.get(d)};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function toMermaid(graph: GraphDocument): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.key, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const n of graph.nodes) {
    const text = `${n.kind}<br/>${(n.name ?? n.sourceId).replace(/["<>]/g, '')}`;
    lines.push(
      n.disposition === 'existing' ? `  ${ids.get(n.key)}(["${text}"])` : `  ${ids.get(n.key)}["${text}"]`,
    );
  }
  for (const n of graph.nodes)
    for (const d of n.dependsOn) if (ids.has(d)) lines.push(`  ${ids.get(n.key)} --> ${ids.get(d)}`);
  return `${lines.join('\n')}\n`;
}
