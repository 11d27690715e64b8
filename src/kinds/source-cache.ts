import type { Session } from '../openstack/session/session.js';
import type { RequestOptions } from '../openstack/common.js';
import type { KindName } from './model.js';

/**
 * A kind's project-wide list at the source, as the kind declares it in its own folder
 * (`source.ts`): how to read it, and what an item is found by.
 */
export interface SourceList<T> {
  /** The kind it lists: the cache holds one list per kind. */
  kind: KindName;
  list(session: Session, options: RequestOptions): AsyncIterable<T>;
  /** What an item is found by: its id, or its name for what has no id (keypairs). */
  keyOf(item: T): string;
}

/** A list of objects found by their id. */
export function sourceList<T extends { id: string }>(
  kind: KindName,
  list: (session: Session, options: RequestOptions) => AsyncIterable<T>,
): SourceList<T> {
  return { kind, list, keyOf: (item) => item.id };
}

/**
 * Project-wide lists, each fetched once and on first use, so the closure costs one paginated
 * list per kind instead of one read per reference: requests grow with the number of resources,
 * not with the number of references between them.
 */
export class SourceCache {
  private readonly lists = new Map<KindName, Promise<Map<string, unknown>>>();

  constructor(
    private readonly session: Session,
    private readonly signal?: AbortSignal,
  ) {}

  /** Every object of a kind's list, by what the list finds it by. */
  all<T>(source: SourceList<T>): Promise<Map<string, T>> {
    let p = this.lists.get(source.kind) as Promise<Map<string, T>> | undefined;
    if (!p) {
      p = this.collect(source);
      this.lists.set(source.kind, p);
      p.catch(() => this.lists.delete(source.kind));
    }
    return p;
  }

  private async collect<T>(source: SourceList<T>): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const options = this.signal ? { signal: this.signal } : {};
    for await (const item of source.list(this.session, options)) out.set(source.keyOf(item), item);
    return out;
  }

  get projectId(): string {
    return this.session.project.id;
  }
}
