import { waitForDeletion, waitForStatus, type WaitOptions } from '../../../core/wait.js';
import { observe, observeDeletion, orUndefined, statusList, withSignal } from '../../common.js';
import type { Session } from '../../session/session.js';
import { get } from './requests.js';
import type { Server } from './types.js';

/** Nova server statuses (api-guide server_concepts) that end a wait; the rest mean "in progress". */
export const SERVER_STATUS = {
  success: ['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED', 'SHELVED', 'SHELVED_OFFLOADED', 'VERIFY_RESIZE'],
  failure: ['ERROR'],
  gone: ['DELETED'],
} as const;

/**
 * The status a waiter compares: while a task runs (`OS-EXT-STS:task_state` not null) the
 * server is not settled, whatever its status says ("ACTIVE" during image_snapshot).
 */
export function settledStatus(server: Server): string {
  const task = server['OS-EXT-STS:task_state'];
  return task ? `${server.status} (${task})` : server.status;
}

/** Wait until the server reaches one of `wanted` (e.g. "ACTIVE") with no task running; ERROR fails at once. */
export function waitForServerStatus(
  session: Session,
  id: string,
  wanted: string | readonly string[] = 'ACTIVE',
  options: WaitOptions = {},
): Promise<Server> {
  const signal = withSignal(options);
  return waitForStatus(
    { what: `server ${id}`, success: statusList(wanted), failure: SERVER_STATUS.failure },
    () =>
      observe(
        () => orUndefined(() => get(session, id, signal)),
        settledStatus,
        (s) => s.fault?.message,
      ),
    options,
  );
}

export function waitForServerDeleted(session: Session, id: string, options: WaitOptions = {}): Promise<void> {
  const signal = withSignal(options);
  const what = `server ${id}`;
  return waitForDeletion(
    what,
    () =>
      observeDeletion(what, () => orUndefined(() => get(session, id, signal)), settledStatus, {
        goneStates: SERVER_STATUS.gone,
      }),
    options,
  );
}
