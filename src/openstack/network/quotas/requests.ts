import { envelope, orUndefined, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { NetworkQuota, NetworkQuotaDetail } from './types.js';
import * as urls from './urls.js';

/** The project's network quota; a member may read its own (default: the session's project). */
export async function get(
  session: Session,
  projectId: string = session.project.id,
  options: RequestOptions = {},
): Promise<NetworkQuota> {
  const res = await session.json<unknown>('network', {
    path: urls.quota(projectId),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<NetworkQuota>(res, 'quota', `GET network quota of ${projectId}`);
}

/**
 * Limits with use and reservations. Without the quota-details extension the path is
 * unknown (404): fall back to the limits alone, leaving `used` unknown.
 */
export async function getDetail(
  session: Session,
  projectId: string = session.project.id,
  options: RequestOptions = {},
): Promise<NetworkQuotaDetail> {
  const detail = await orUndefined(async () => {
    const res = await session.json<unknown>('network', {
      path: urls.quotaDetails(projectId),
      ok: [200],
      ...withSignal(options),
    });
    return envelope<NetworkQuotaDetail>(res, 'quota', `GET network quota details of ${projectId}`);
  });
  if (detail) return detail;
  const limits = await get(session, projectId, options);
  const fallback: NetworkQuotaDetail = {};
  for (const [resource, limit] of Object.entries(limits))
    if (typeof limit === 'number') fallback[resource] = { limit };
  return fallback;
}
