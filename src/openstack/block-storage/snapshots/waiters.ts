import { waitForDeletion, waitForStatus, type WaitOptions } from '../../../core/wait.js';
import { observe, observeDeletion, orUndefined, statusList, withSignal } from '../../common.js';
import type { Session } from '../../session/session.js';
import { explainFailure } from '../messages/requests.js';
import { get } from './requests.js';
import type { Snapshot } from './types.js';

/** Cinder snapshot statuses (api-ref volumes-v3-snapshots) that end a wait. */
export const SNAPSHOT_STATUS = {
  success: ['available'],
  failure: ['error', 'error_deleting'],
} as const;

export function waitForSnapshotStatus(
  session: Session,
  id: string,
  wanted: string | readonly string[] = 'available',
  options: WaitOptions = {},
): Promise<Snapshot> {
  const signal = withSignal(options);
  const failure: readonly string[] = SNAPSHOT_STATUS.failure;
  return waitForStatus(
    { what: `snapshot ${id}`, success: statusList(wanted), failure },
    async () =>
      explainFailure(
        session,
        id,
        await observe(
          () => orUndefined(() => get(session, id, signal)),
          (s) => s.status,
        ),
        failure,
        signal,
      ),
    options,
  );
}

export function waitForSnapshotDeleted(
  session: Session,
  id: string,
  options: WaitOptions = {},
): Promise<void> {
  const what = `snapshot ${id}`;
  return waitForDeletion(
    what,
    () =>
      observeDeletion(
        what,
        () => orUndefined(() => get(session, id, withSignal(options))),
        (s) => s.status,
        {
          failures: ['error_deleting'],
        },
      ),
    options,
  );
}
