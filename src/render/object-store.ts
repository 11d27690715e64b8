/**
 * What every renderer reads the same way from a Swift container's document: its ACLs, under
 * the rule of Downpour's import (src/kinds/container/acl.ts), and the line that says how many
 * objects the rendered container leaves to `downpour import`.
 */
import { formatBytes } from '../core/progress.js';
import { mapAcl } from '../kinds/container/acl.js';
import type { ContainerDocument } from '../kinds/container/document.js';

/** Who of the destination an ACL entry naming the source's project or user stands for. */
export type AclProject = '*' | 'project_id' | 'project_name';
export type AclUser = '*' | 'user_id';

/** One entry of a container ACL as a template can write it. */
export type AclEntry =
  /** Names nobody of the source (`.r:*`, `.rlistings`, `*:*`): written as it is. */
  | { type: 'as-is'; text: string }
  /** Names the source project or the exporting user: the destination's own stand for them. */
  | { type: 'owner'; source: string; project: AclProject; user: AclUser };

export interface ContainerAcl {
  /** In the source's order. */
  entries: AclEntry[];
  /** Entries naming other projects or users of the source: left out, as the import leaves them out. */
  dropped: string[];
}

/** Stand-ins mapAcl writes for the destination's project and user; no ACL entry holds a NUL. */
const STAND_IN = {
  project_id: '\u0000project_id',
  project_name: '\u0000project_name',
  user_id: '\u0000user_id',
};

const projectOf = (part: string): AclProject | undefined =>
  part === '*'
    ? '*'
    : part === STAND_IN.project_id
      ? 'project_id'
      : part === STAND_IN.project_name
        ? 'project_name'
        : undefined;
const userOf = (part: string): AclUser | undefined =>
  part === '*' ? '*' : part === STAND_IN.user_id ? 'user_id' : undefined;

/** The read or write ACL of a container, entry by entry; undefined when it has none. */
export function containerAcl(
  doc: ContainerDocument,
  field: 'read_acl' | 'write_acl',
): ContainerAcl | undefined {
  const acl = doc[field];
  if (!acl) return undefined;
  const source = doc.owner ?? { project_id: '' };
  const out: ContainerAcl = { entries: [], dropped: [] };
  for (const raw of acl.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const mapped = mapAcl(entry, source, STAND_IN);
    if (mapped.dropped.length || !mapped.value) {
      out.dropped.push(entry);
      continue;
    }
    const i = mapped.value.indexOf(':');
    const project = entry.startsWith('.') || i < 0 ? undefined : projectOf(mapped.value.slice(0, i));
    const user = project === undefined ? undefined : userOf(mapped.value.slice(i + 1));
    if (project === undefined || user === undefined || (project === '*' && user === '*'))
      out.entries.push({ type: 'as-is', text: entry });
    else out.entries.push({ type: 'owner', source: entry, project, user });
  }
  return out;
}

/** The entries a template writes as they are, joined; undefined when none is left. */
export function asIsAcl(acl: ContainerAcl | undefined): string | undefined {
  const kept = (acl?.entries ?? []).flatMap((e) => (e.type === 'as-is' ? [e.text] : []));
  return kept.length ? kept.join(',') : undefined;
}

/** Entries naming the source's project or user, as the source had them. */
export const ownerEntries = (acl: ContainerAcl | undefined): string[] =>
  (acl?.entries ?? []).flatMap((e) => (e.type === 'owner' ? [e.source] : []));

/** `12 objects, 3.4 MiB`: what the container held at the source. */
export function objectsHeld(doc: ContainerDocument): string {
  const n = doc.object_count;
  return `${n} ${n === 1 ? 'object' : 'objects'}, ${formatBytes(doc.bytes)}`;
}
