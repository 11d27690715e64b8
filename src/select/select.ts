import { UsageError } from '../core/errors.js';
import { globToRegExp } from '../core/glob.js';
import * as servers from '../openstack/compute/servers/index.js';
import * as keypairs from '../openstack/compute/keypairs/index.js';
import * as volumes from '../openstack/block-storage/volumes/index.js';
import * as images from '../openstack/image/images/index.js';
import * as networks from '../openstack/network/networks/index.js';
import * as securityGroups from '../openstack/network/security-groups/index.js';
import * as swift from '../openstack/object-store/index.js';
import { selectEndpoint } from '../openstack/session/catalog.js';
import type { Session } from '../openstack/session/session.js';
import {
  SELECTION_API_VERSION,
  type CaptureMode,
  type SelectableKind,
  type SelectedResource,
  type Selection,
} from './selection-file.js';

/** What `downpour select` was asked for. Each filter adds what it matches (a union). */
export interface SelectFilters {
  /** Server names (globs) or ids. */
  servers?: string[];
  volumes?: string[];
  images?: string[];
  networks?: string[];
  securityGroups?: string[];
  keypairs?: string[];
  /** Swift container names (globs). */
  containers?: string[];
  /** Tags (`app=shop` is one tag string) on servers, images, networks and security groups. */
  tags?: string[];
  /** `key=value` metadata on servers and volumes, or properties on images. */
  metadata?: string[];
  /** Everything the project owns. */
  all?: boolean;
  capture?: CaptureMode;
}

interface Candidate {
  kind: SelectableKind;
  id: string;
  name: string;
  tags: string[];
  metadata: Record<string, string>;
}

const TEMPORARY = /^downpour-(tmp|probe)-/;

async function candidates(session: Session, signal?: AbortSignal): Promise<Candidate[]> {
  const opts = signal ? { signal } : {};
  const out: Candidate[] = [];
  const project = session.project.id;
  for await (const s of servers.list(session, {}, opts)) {
    out.push({
      kind: 'compute.server',
      id: s.id,
      name: s.name,
      tags: s.tags ?? [],
      metadata: s.metadata ?? {},
    });
  }
  for await (const v of volumes.list(session, {}, opts)) {
    if (TEMPORARY.test(v.name ?? '')) continue;
    out.push({
      kind: 'block-storage.volume',
      id: v.id,
      name: v.name ?? '',
      tags: [],
      metadata: v.metadata ?? {},
    });
  }
  for await (const i of images.list(session, { owner: project }, opts)) {
    if (TEMPORARY.test(i.name ?? '') || i.tags.includes('downpour:temporary')) continue;
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(i)) if (typeof v === 'string') props[k] = v;
    out.push({ kind: 'image.image', id: i.id, name: i.name ?? '', tags: i.tags, metadata: props });
  }
  for await (const n of networks.list(session, {}, opts)) {
    if (n.project_id !== project) continue;
    out.push({ kind: 'network.network', id: n.id, name: n.name, tags: n.tags ?? [], metadata: {} });
  }
  for await (const g of securityGroups.list(session, {}, opts)) {
    if (g.project_id !== project) continue;
    out.push({ kind: 'network.security-group', id: g.id, name: g.name, tags: g.tags ?? [], metadata: {} });
  }
  for await (const k of keypairs.list(session, opts)) {
    out.push({ kind: 'compute.keypair', id: k.name, name: k.name, tags: [], metadata: {} });
  }
  // Object storage is optional: a cloud without it in the catalog has no containers to list.
  if (
    selectEndpoint(
      session.catalog,
      'object-store',
      session.interfaceFor('object-store'),
      session.cloud.regionName,
    )
  ) {
    for await (const c of swift.listContainers(session, opts)) {
      if (TEMPORARY.test(c.name)) continue;
      out.push({ kind: 'object-store.container', id: c.name, name: c.name, tags: [], metadata: {} });
    }
  }
  return out;
}

function splitPair(text: string, flag: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new UsageError(`${flag} ${text}: expected KEY=VALUE`);
  return [text.slice(0, i), text.slice(i + 1)];
}

/**
 * Pick resources in the source and name them by id. Every filter must match something: one that
 * matches nothing is an error that names it (a typo should not shrink a migration silently).
 */
export async function selectResources(
  session: Session,
  filters: SelectFilters,
  signal?: AbortSignal,
): Promise<Selection> {
  const byName: [string, SelectableKind, string[] | undefined][] = [
    ['--server', 'compute.server', filters.servers],
    ['--volume', 'block-storage.volume', filters.volumes],
    ['--image', 'image.image', filters.images],
    ['--network', 'network.network', filters.networks],
    ['--security-group', 'network.security-group', filters.securityGroups],
    ['--keypair', 'compute.keypair', filters.keypairs],
    ['--container', 'object-store.container', filters.containers],
  ];
  const asked =
    byName.some(([, , v]) => v?.length) || filters.tags?.length || filters.metadata?.length || filters.all;
  if (!asked) {
    throw new UsageError('nothing to select: give at least one filter', {
      hint: 'For example --server "web-*", --tag app=shop, --metadata role=db, or --all for the whole project.',
    });
  }
  const all = await candidates(session, signal);
  const chosen = new Map<string, SelectedResource>();
  const take = (c: Candidate) =>
    chosen.set(`${c.kind}:${c.id}`, { kind: c.kind, id: c.id, ...(c.name ? { name: c.name } : {}) });
  const empty: string[] = [];
  const record: string[] = [];

  for (const [flag, kind, values] of byName) {
    for (const value of values ?? []) {
      record.push(`${flag} ${value}`);
      const re = globToRegExp(value);
      const matches = all.filter((c) => c.kind === kind && (c.id === value || re.test(c.name)));
      if (matches.length === 0) empty.push(`${flag} ${value}`);
      matches.forEach(take);
    }
  }
  for (const tag of filters.tags ?? []) {
    record.push(`--tag ${tag}`);
    const matches = all.filter((c) => c.tags.includes(tag));
    if (matches.length === 0) empty.push(`--tag ${tag}`);
    matches.forEach(take);
  }
  for (const pair of filters.metadata ?? []) {
    record.push(`--metadata ${pair}`);
    const [k, v] = splitPair(pair, '--metadata');
    const matches = all.filter((c) => c.metadata[k] === v);
    if (matches.length === 0) empty.push(`--metadata ${pair}`);
    matches.forEach(take);
  }
  if (filters.all) {
    record.push('--all');
    if (all.length === 0) empty.push('--all');
    all.forEach(take);
  }
  if (empty.length) {
    throw new UsageError(
      `${empty.length === 1 ? 'this filter matches' : 'these filters match'} nothing in project ${session.project.name}: ${empty.join(', ')}`,
      {
        hint: 'Check the spelling (name globs match whole names; ids match exactly), and that --cloud names the right project.',
      },
    );
  }
  const order: SelectableKind[] = [
    'compute.server',
    'block-storage.volume',
    'image.image',
    'network.network',
    'network.security-group',
    'compute.keypair',
    'object-store.container',
  ];
  const resources = [...chosen.values()].sort(
    (a, b) =>
      order.indexOf(a.kind) - order.indexOf(b.kind) ||
      (a.name ?? '').localeCompare(b.name ?? '') ||
      a.id.localeCompare(b.id),
  );
  return {
    apiVersion: SELECTION_API_VERSION,
    kind: 'Selection',
    source: { cloud: session.cloud.name, authUrl: session.cloud.auth.auth_url, project: session.project },
    createdAt: new Date().toISOString(),
    filters: record,
    options: { capture: filters.capture ?? 'snapshot' },
    resources,
  };
}
