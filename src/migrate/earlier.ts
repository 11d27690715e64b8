/**
 * Whether an earlier run of this import left anything at the destination. A rerun reads its
 * journal; a first run (no journal) may still meet objects of an earlier import whose journal
 * was lost, found by their provenance tag. One probe per kind answers for every node of it, so
 * a first import does not look for an earlier copy of each port, floating IP and server.
 */
import { errorMessage } from '../core/errors.js';
import type { DestinationCaps } from '../kinds/apply/context.js';
import type { GraphNode } from '../kinds/model.js';
import { APPLIES } from '../kinds/registry.js';
import * as servers from '../openstack/compute/servers/index.js';
import type { Session } from '../openstack/session/session.js';

type Probe = (session: Session, tags: string[], signal?: AbortSignal) => AsyncIterable<unknown>;

const opts = (signal?: AbortSignal) => (signal ? { signal } : {});

/** Kinds whose objects carry the bundle's tag from their first moment or soon after, and can be listed by it. */
const PROBES: Record<string, Probe> = Object.fromEntries(
  Object.entries(APPLIES).flatMap(([kind, apply]) => {
    const { tagged } = apply;
    if (!tagged) return [];
    const probe: Probe = (s, tags, signal) => tagged(s, tags, { limit: 1, ...opts(signal) });
    return [[kind, probe]];
  }),
);

/** An object of this bundle that the probes met: when it was made tells a live run from a lost journal. */
export interface EarlierObject {
  kind: string;
  id: string;
  createdAt: number | undefined;
}

/**
 * The kinds, among those `nodes` has, of which the destination holds no object tagged with
 * this bundle (`empty`), and one object of each kind that has some (`found`). A kind whose
 * probe fails is in neither: its nodes are looked for one by one.
 */
export async function earlierObjectsOf(
  session: Session,
  bundleId: string,
  caps: DestinationCaps,
  nodes: ReadonlyMap<string, GraphNode>,
  signal?: AbortSignal,
): Promise<{ empty: Set<string>; found: EarlierObject[] }> {
  const tags = [`downpour:bundle=${bundleId}`];
  const probes: Record<string, Probe> = { ...PROBES };
  // Servers carry the tag from their create on; without server tags they are found by metadata.
  if (caps.serverTags)
    probes['compute.server'] = (s, t, sig) => servers.list(s, { tags: t, limit: 1 }, opts(sig));
  const kinds = [...new Set([...nodes.values()].map((n) => n.kind))].filter((k) => probes[k]);
  const empty = new Set<string>();
  const found: EarlierObject[] = [];
  await Promise.all(
    kinds.map(async (kind) => {
      try {
        for await (const item of (probes[kind] as Probe)(session, tags, signal)) {
          found.push({ kind, ...describe(item) });
          return;
        }
        empty.add(kind);
      } catch (err) {
        session.logger.debug(`looking for earlier ${kind} objects of this bundle: ${errorMessage(err)}`);
      }
    }),
  );
  return { empty, found };
}

/** Id and creation time of a listed object (Neutron's `created_at`, Nova's `created`). */
function describe(item: unknown): { id: string; createdAt: number | undefined } {
  const o = (item ?? {}) as { id?: unknown; created_at?: unknown; created?: unknown };
  const when =
    typeof o.created_at === 'string' ? o.created_at : typeof o.created === 'string' ? o.created : '';
  // Neutron writes UTC without a zone ("2026-12-02T07:31:02Z" or without the Z).
  const ms = when ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(when) ? when : `${when}Z`) : NaN;
  return { id: typeof o.id === 'string' ? o.id : '?', createdAt: Number.isFinite(ms) ? ms : undefined };
}
