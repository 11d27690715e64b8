import { withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { Extension } from './types.js';
import * as urls from './urls.js';

export function list(session: Session, options: RequestOptions = {}): AsyncGenerator<Extension> {
  return session.list<Extension>('network', urls.extensions(), 'extensions', {}, withSignal(options));
}

/** The aliases of every enabled extension, for capability checks. */
export async function aliases(session: Session, options: RequestOptions = {}): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const extension of list(session, options)) found.add(extension.alias);
  return found;
}
