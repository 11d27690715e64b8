/**
 * Tasks as YAML that Ansible reads the way it was meant: written as YAML 1.1 (Ansible's PyYAML
 * reads `yes`, `on` and `0644` as booleans and octals unless quoted), never folded, comments
 * above each task, and text from the source marked `!unsafe` when it looks like a template,
 * so a description holding `{{` is stored as written instead of being evaluated.
 */
import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';

/** A string Ansible templates, such as `{{ network_web.network.id }}`: emitted as written. */
export class Jinja {
  constructor(readonly template: string) {}
}

/** `{{ expression }}`. */
export const expr = (expression: string) => new Jinja(`{{ ${expression} }}`);

export type Value = string | number | boolean | null | Jinja | Value[] | { [key: string]: Value };

export interface Task {
  /** Lines of the comment above the task. */
  comment: string[];
  name: string;
  /** Fully qualified module name. */
  module: string;
  args: Record<string, Value>;
  register?: string;
  /** A condition, without braces. */
  when?: string;
  /** Task-level variables. */
  vars?: Record<string, Value>;
  tags: string[];
}

const TEMPLATE_MARK = /\{[{%#]/;

function toJs(value: Value): unknown {
  if (value instanceof Jinja) return value.template;
  if (Array.isArray(value)) return value.map(toJs);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJs(v)]));
  return value;
}

/** Marks every string that came from the source and looks like a template. */
function markUnsafe(node: Node | null, value: Value): void {
  if (value instanceof Jinja || node === null) return;
  if (typeof value === 'string' && isScalar(node) && TEMPLATE_MARK.test(value)) {
    node.tag = '!unsafe';
    node.type = 'QUOTE_DOUBLE';
    return;
  }
  if (Array.isArray(value) && isSeq(node)) {
    value.forEach((v, i) => markUnsafe(node.items[i] as Node, v));
  } else if (value !== null && typeof value === 'object' && isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      markUnsafe(pair.value as Node, (value as Record<string, Value>)[key] ?? null);
    }
  }
}

function taskObject(task: Task): Record<string, Value> {
  return {
    name: task.name,
    [task.module]: task.args,
    ...(task.vars ? { vars: task.vars } : {}),
    ...(task.register ? { register: task.register } : {}),
    ...(task.when ? { when: task.when } : {}),
    tags: task.tags,
  };
}

const commentText = (lines: string[]) => lines.map((l) => (l ? ` ${l}` : '')).join('\n');

export interface PlaybookShape {
  header: string[];
  play: Record<string, Value>;
  tasks: Task[];
}

const STRINGIFY = { lineWidth: 0, minContentWidth: 0 } as const;

/** The playbook: one play on localhost whose `tasks` are the given tasks, commented. */
export function playbookYaml(shape: PlaybookShape): string {
  const tasks = shape.tasks.map(taskObject);
  const doc = new Document([{ ...(toJs(shape.play) as object), tasks: tasks.map(toJs) }], {
    version: '1.1',
  });
  const playNode = doc.getIn([0], true) as Node;
  markUnsafe(playNode, { ...shape.play, tasks });
  const taskSeq = doc.getIn([0, 'tasks'], true);
  if (isSeq(taskSeq)) {
    taskSeq.items.forEach((item, i) => {
      const task = shape.tasks[i];
      if (!task || !isMap(item)) return;
      if (task.comment.length) item.commentBefore = commentText(task.comment);
      if (i > 0) item.spaceBefore = true;
    });
  }
  doc.commentBefore = commentText(shape.header);
  return doc.toString(STRINGIFY);
}

/** A YAML file of plain values, each key with its comment above it. */
export function commentedMapYaml(
  header: string[],
  entries: { key: string; value: Value; comment: string[] }[],
): string {
  const doc = new Document(Object.fromEntries(entries.map((e) => [e.key, toJs(e.value)])), {
    version: '1.1',
  });
  const map = doc.contents;
  if (isMap(map)) {
    map.items.forEach((pair, i) => {
      const entry = entries[i];
      if (!entry) return;
      markUnsafe(pair.value as Node, entry.value);
      if (entry.comment.length && isScalar(pair.key)) {
        pair.key.commentBefore = commentText(entry.comment);
        if (i > 0) pair.key.spaceBefore = true;
      }
    });
  }
  doc.commentBefore = commentText(header);
  return doc.toString(STRINGIFY);
}

/** Plain YAML of plain values. */
export function plainYaml(header: string[], value: Value): string {
  const doc = new Document(toJs(value), { version: '1.1' });
  doc.commentBefore = commentText(header);
  return doc.toString(STRINGIFY);
}
