import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { UsageError } from '../core/errors.js';

/** Resource kinds a user may pick directly; everything else comes in through dependencies. */
export const SELECTABLE_KINDS = [
  'compute.server',
  'block-storage.volume',
  'image.image',
  'network.network',
  'network.security-group',
  'compute.keypair',
  'object-store.container',
] as const;
export type SelectableKind = (typeof SELECTABLE_KINDS)[number];

export const CAPTURE_MODES = ['snapshot', 'stop', 'image'] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];

export const SELECTION_API_VERSION = 'downpour/v1';

export interface SelectedResource {
  kind: SelectableKind;
  id: string;
  /** Shown for reading; never used to find the resource (names repeat, or are empty). */
  name?: string;
}

/** The editable file `downpour select` writes and `downpour export` reads. */
export interface Selection {
  apiVersion: typeof SELECTION_API_VERSION;
  kind: 'Selection';
  source: { cloud?: string; authUrl?: string; project?: { id: string; name?: string } };
  createdAt?: string;
  /** How the list was made (the flags of `downpour select`), for the record only. */
  filters?: string[];
  options?: { capture?: CaptureMode };
  resources: SelectedResource[];
}

const HEADER = `# Downpour selection: what \`downpour export\` moves out of the source cloud.
# Edit freely: remove entries, or add {kind, id} entries. Resources are named by id;
# names are shown for reading only. Everything the selected resources depend on
# (ports, networks, subnets, routers, security groups, keypair, server group,
# volumes, images, floating IPs) is added by the export itself.
# capture: snapshot (live server snapshot, default), stop (stop, capture, start), image (reuse the boot image)
`;

export function renderSelection(selection: Selection): string {
  return HEADER + stringifyYaml(selection, { lineWidth: 0 });
}

/** Parse and validate a selection file; every problem is a UsageError that names the file and the entry. */
export function parseSelection(text: string, file = 'selection'): Selection {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UsageError(
      `${file} is not valid YAML: ${((err as Error).message.split('\n')[0] ?? '').slice(0, 200)}`,
      {
        hint: 'Fix the file, or write a new one with `downpour select`.',
      },
    );
  }
  const bad = (what: string) =>
    new UsageError(`${file}: ${what}`, {
      hint: 'Write a fresh selection with `downpour select` and compare.',
    });
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw bad('not a selection (expected a mapping)');
  const d = doc as Record<string, unknown>;
  if (d['kind'] !== 'Selection') throw bad('"kind: Selection" is missing');
  if (d['apiVersion'] !== SELECTION_API_VERSION) {
    throw bad(
      `apiVersion ${JSON.stringify(d['apiVersion'])} is not supported (this Downpour reads ${SELECTION_API_VERSION})`,
    );
  }
  const resources = d['resources'];
  if (!Array.isArray(resources)) throw bad('"resources" must be a list');
  if (resources.length === 0) throw bad('"resources" is empty: nothing to export');
  const seen = new Set<string>();
  const out: SelectedResource[] = [];
  resources.forEach((r: unknown, i) => {
    if (!r || typeof r !== 'object') throw bad(`resources[${i}] must be a mapping with kind and id`);
    const { kind, id, name } = r as Record<string, unknown>;
    if (typeof kind !== 'string' || !(SELECTABLE_KINDS as readonly string[]).includes(kind)) {
      throw bad(`resources[${i}].kind ${JSON.stringify(kind)} is not one of ${SELECTABLE_KINDS.join(', ')}`);
    }
    if (typeof id !== 'string' || !id.trim()) throw bad(`resources[${i}].id must be a non-empty string`);
    const key = `${kind}:${id}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ kind: kind as SelectableKind, id: id.trim(), ...(typeof name === 'string' ? { name } : {}) });
  });
  const options = d['options'];
  let capture: CaptureMode | undefined;
  if (options && typeof options === 'object') {
    const c = (options as Record<string, unknown>)['capture'];
    if (c !== undefined) {
      if (typeof c !== 'string' || !(CAPTURE_MODES as readonly string[]).includes(c)) {
        throw bad(`options.capture must be one of ${CAPTURE_MODES.join(', ')}`);
      }
      capture = c as CaptureMode;
    }
  }
  const source = (d['source'] && typeof d['source'] === 'object' ? d['source'] : {}) as Selection['source'];
  return {
    apiVersion: SELECTION_API_VERSION,
    kind: 'Selection',
    source,
    ...(typeof d['createdAt'] === 'string' ? { createdAt: d['createdAt'] } : {}),
    ...(Array.isArray(d['filters']) ? { filters: (d['filters'] as unknown[]).map(String) } : {}),
    ...(capture ? { options: { capture } } : {}),
    resources: out,
  };
}

export function readSelectionFile(path: string): Selection {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read selection file ${path}: ${(err as Error).message}`, {
      hint: 'Write one with `downpour select --cloud NAME ... -o FILE`.',
    });
  }
  return parseSelection(text, path);
}
