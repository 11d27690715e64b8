import type { Observation } from '../../../core/wait.js';
import { withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { UserMessage } from './types.js';
import * as urls from './urls.js';

/**
 * The newest user message about a resource, to explain an `error` status (Cinder puts no fault
 * in the volume itself). Best effort: undefined when there is none or the cloud cannot say.
 */
export async function latestFor(
  session: Session,
  resourceId: string,
  options: RequestOptions = {},
): Promise<string | undefined> {
  try {
    if (!(await session.supports('block-storage', '3.3'))) return undefined;
    const res = await session.json<{ messages?: UserMessage[] }>('block-storage', {
      path: urls.messages(),
      query: { resource_uuid: resourceId, sort: 'created_at:desc', limit: 1 },
      ok: [200],
      ...withSignal(options),
    });
    return res.data?.messages?.[0]?.user_message;
  } catch {
    // The explanation is a nicety: never let it hide the failure being explained.
    return undefined;
  }
}

/** `seen` with the newest user message as its reason when its status is one of `failures`. */
export async function explainFailure<T>(
  session: Session,
  resourceId: string,
  seen: Observation<T>,
  failures: readonly string[],
  options: RequestOptions = {},
): Promise<Observation<T>> {
  if (seen.value === undefined || !failures.includes(seen.status)) return seen;
  const reason = await latestFor(session, resourceId, options);
  return reason ? { ...seen, reason } : seen;
}
