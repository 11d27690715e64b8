import { envelope, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { ComputeQuotaDetail, ComputeQuotaSet } from './types.js';
import * as urls from './urls.js';

/** The project's compute quota; a member may read its own project's (default: the session's). */
export async function get(
  session: Session,
  projectId: string = session.project.id,
  options: RequestOptions = {},
): Promise<ComputeQuotaSet> {
  const res = await session.json<unknown>('compute', {
    path: urls.quotaSet(projectId),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<ComputeQuotaSet>(res, 'quota_set', `GET compute quota of ${projectId}`);
}

export async function getDetail(
  session: Session,
  projectId: string = session.project.id,
  options: RequestOptions = {},
): Promise<ComputeQuotaDetail> {
  const res = await session.json<unknown>('compute', {
    path: urls.quotaSetDetail(projectId),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<ComputeQuotaDetail>(res, 'quota_set', `GET compute quota detail of ${projectId}`);
}
