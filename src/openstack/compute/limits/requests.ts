import { envelope, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { ComputeLimits } from './types.js';
import * as urls from './urls.js';

export async function get(session: Session, options: RequestOptions = {}): Promise<ComputeLimits> {
  const res = await session.json<unknown>('compute', {
    path: urls.limits(),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<ComputeLimits>(res, 'limits', 'GET compute limits');
}
