import { envelope, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { BlockStorageLimits } from './types.js';
import * as urls from './urls.js';

export async function get(session: Session, options: RequestOptions = {}): Promise<BlockStorageLimits> {
  const res = await session.json<unknown>('block-storage', {
    path: urls.limits(),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<BlockStorageLimits>(res, 'limits', 'GET block-storage limits');
}
