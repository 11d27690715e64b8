/** What every Neutron kind does at the destination: provenance tags, and finding what an earlier run made. */
import * as tags from '../../openstack/network/tags/index.js';
import type { TaggableResource } from '../../openstack/network/tags/index.js';
import type { GraphNode } from '../model.js';
import type { Session } from '../../openstack/session/session.js';
import { opts, provenanceTags, type ApplyContext, type Created, type TaggedOptions } from './context.js';

/** Tag a new Neutron object with its own tags and its provenance, when the cloud has tags. */
export async function tagNeutron(
  ctx: ApplyContext,
  type: TaggableResource,
  id: string,
  node: GraphNode,
  own: readonly string[] | null | undefined,
): Promise<void> {
  if (!ctx.caps.neutronTags) return;
  const list = [...(own ?? []).filter((t) => !t.startsWith('downpour:')), ...provenanceTags(ctx, node)];
  await tags.setTags(ctx.session, type, id, list, opts(ctx));
}

/**
 * Neutron objects found by provenance tags; when the run died between the create and the
 * tagging, by name among untagged objects made after the journal's intent entry.
 */
export async function findNeutron<
  T extends { id: string; name?: string; tags?: string[]; created_at?: string },
>(
  ctx: ApplyContext,
  node: GraphNode,
  list: (filters: { tags?: string[]; name?: string }) => AsyncIterable<T>,
  name: string | null | undefined,
  intentAt: string | undefined,
): Promise<Created | undefined> {
  if (ctx.caps.neutronTags) {
    for await (const item of list({ tags: provenanceTags(ctx, node) })) return { id: item.id };
  }
  if (intentAt === undefined || !name) return undefined;
  const since = Date.parse(intentAt) - 5_000;
  for await (const item of list({ name })) {
    const untagged = !(item.tags ?? []).some((t) => t.startsWith('downpour:'));
    if (untagged && (!item.created_at || Date.parse(item.created_at) >= since)) return { id: item.id };
  }
  return undefined;
}

/** A Neutron kind's `tagged`: its list, filtered by tags (and a limit, for a probe). */
export function listTagged<T extends { id: string; tags?: string[] }>(
  list: (
    session: Session,
    filters: { tags: string[]; limit?: number },
    options: { signal?: AbortSignal },
  ) => AsyncIterable<T>,
) {
  return (session: Session, tags: string[], { limit, signal }: TaggedOptions): AsyncIterable<T> =>
    list(session, { tags, ...(limit === undefined ? {} : { limit }) }, signal ? { signal } : {});
}
