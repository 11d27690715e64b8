import { envelope, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { BlockStorageQuotaUsage } from './types.js';
import * as urls from './urls.js';

/** The project's block-storage quota with usage; a member may read its own (default: the session's). */
export async function getUsage(
  session: Session,
  projectId: string = session.project.id,
  options: RequestOptions = {},
): Promise<BlockStorageQuotaUsage> {
  const res = await session.json<unknown>('block-storage', {
    path: urls.quotaSet(projectId),
    query: { usage: true },
    ok: [200],
    ...withSignal(options),
  });
  return envelope<BlockStorageQuotaUsage>(res, 'quota_set', `GET block-storage quota of ${projectId}`);
}
