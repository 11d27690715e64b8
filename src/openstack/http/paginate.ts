import { DownpourError, ExitCode } from '../../core/errors.js';
import type { Headers } from './client.js';

/**
 * Find the next page in any of the shapes OpenStack uses, in openstacksdk's order:
 * Keystone `links.next` (a dict), `links` as a list with rel=next, `<resources>_links`
 * (Nova, Cinder, Neutron), Glance's top-level `next`, then an RFC 5988 Link header.
 * Returns the href exactly as the service gave it, or undefined on the last page.
 */
export function findNextLink(body: unknown, resourcesKey: string, headers: Headers = {}): string | undefined {
  if (body && typeof body === 'object') {
    const doc = body as Record<string, unknown>;
    const links = doc['links'];
    if (links && typeof links === 'object' && !Array.isArray(links)) {
      const next = (links as Record<string, unknown>)['next'];
      if (typeof next === 'string' && next) return next;
    }
    for (const list of [links, doc[`${resourcesKey}_links`]]) {
      if (Array.isArray(list)) {
        for (const link of list as { rel?: string; href?: string }[]) {
          if (link?.rel === 'next' && typeof link.href === 'string') return link.href;
        }
      }
    }
    const glanceNext = doc['next'];
    if (typeof glanceNext === 'string' && glanceNext) return glanceNext;
  }
  const linkHeader = headers['link'];
  const value = Array.isArray(linkHeader) ? linkHeader.join(', ') : linkHeader;
  if (value) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(value);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/**
 * Turn a next link into the query of the next request against *our* endpoint URL. Services
 * often build links from their own idea of their address (an internal host name, a proxy they
 * sit behind), so only the query is trusted, and the path stays the one we asked for.
 */
export function nextQuery(href: string): Record<string, string | string[]> {
  const url = new URL(href, 'http://relative.invalid');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return query;
}

export interface Page<T> {
  items: T[];
  body: unknown;
  headers: Headers;
}

/**
 * Iterate every item of a paginated collection. `fetchPage(query)` performs one request;
 * the first call gets `firstQuery`. Stops on the last page, and refuses an endless loop
 * (a next link whose query was already requested).
 */
export async function* paginate<T>(
  resourcesKey: string,
  firstQuery: Record<string, string | string[] | number | boolean | undefined>,
  fetchPage: (query: Record<string, string | string[] | number | boolean | undefined>) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let query = firstQuery;
  const seen = new Set<string>();
  for (;;) {
    const key = JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
    if (seen.has(key)) {
      throw new DownpourError(
        'E_PAGINATION_LOOP',
        ExitCode.unexpected,
        `endless pagination loop in ${resourcesKey}: the same page was offered twice`,
      );
    }
    seen.add(key);
    const page = await fetchPage(query);
    yield* page.items;
    const next = findNextLink(page.body, resourcesKey, page.headers);
    if (!next || page.items.length === 0) return;
    // Keep the filters we asked for; take marker, limit and anything else from the link.
    query = { ...firstQuery, ...nextQuery(next) };
  }
}
