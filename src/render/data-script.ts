/**
 * The one step every rendered format shares: rebuilding each image and volume file from the
 * bundle's chunks, with its SHA-256 checked, using nothing but a POSIX shell, cat, tar and
 * sha256sum. Heat, Ansible and Terraform then upload whole files.
 */
import type { RenderModel } from './model.js';

export const DATA_DIR = 'data';
export const ASSEMBLE_SCRIPT = `${DATA_DIR}/assemble.sh`;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `data/assemble.sh`, or undefined when no resource carries data. */
export function assembleScript(model: RenderModel): string | undefined {
  const withData = model.resources.filter((r) => r.data);
  if (withData.length === 0) return undefined;
  const lines = [
    '#!/bin/sh',
    `# Rebuilds the image and volume files of Downpour bundle ${model.bundleId} from its chunks,`,
    '# checking the SHA-256 of each whole file. Files already rebuilt and intact are kept.',
    '#',
    '#   sh data/assemble.sh BUNDLE      (the bundle directory, or its .tar)',
    'set -eu',
    'bundle=${1:?usage: sh data/assemble.sh BUNDLE (the bundle directory or its .tar)}',
    'here=$(cd "$(dirname "$0")" && pwd)',
    '',
    'chunk() {',
    '  if [ -d "$bundle" ]; then cat "$bundle/$1"; else tar -xOf "$bundle" "$1"; fi',
    '}',
    '',
    'assemble() {',
    '  file=$1 sha=$2',
    '  shift 2',
    '  if [ -f "$here/$file" ] && echo "$sha  $here/$file" | sha256sum -c --status; then',
    '    echo "$file: already rebuilt"',
    '    return',
    '  fi',
    '  : >"$here/$file.part"',
    '  for c in "$@"; do chunk "$c" >>"$here/$file.part"; done',
    '  if ! echo "$sha  $here/$file.part" | sha256sum -c --status; then',
    '    echo "$file: SHA-256 differs from the bundle\'s record: the bundle is damaged (downpour verify BUNDLE names the bad blob)" >&2',
    '    exit 1',
    '  fi',
    '  mv "$here/$file.part" "$here/$file"',
    '  echo "$file: rebuilt, SHA-256 ok"',
    '}',
    '',
  ];
  for (const r of withData) {
    const d = r.data;
    if (!d) continue;
    lines.push(`# ${r.comment}: ${d.size} bytes, ${d.diskFormat}`);
    lines.push(`assemble ${quote(d.file)} ${d.sha256} \\`);
    lines.push(d.chunks.map((c) => `  ${c}`).join(' \\\n'));
  }
  return `${lines.join('\n')}\n`;
}
