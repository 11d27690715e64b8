import { waitForDeletion, waitForStatus, type WaitOptions } from '../../../core/wait.js';
import { observe, observeDeletion, orUndefined, statusList, withSignal } from '../../common.js';
import { explainFailure } from '../messages/requests.js';
import type { Session } from '../../session/session.js';
import { get } from './requests.js';
import type { Volume } from './types.js';

/** Cinder volume statuses (api-ref volumes-v3-volumes) that end a wait. */
export const VOLUME_STATUS = {
  success: ['available', 'in-use'],
  failure: ['error', 'error_deleting', 'error_backing-up', 'error_restoring', 'error_extending'],
} as const;

/** Wait for `wanted` (default available); an error status fails at once, with Cinder's user message as reason. */
export function waitForVolumeStatus(
  session: Session,
  id: string,
  wanted: string | readonly string[] = 'available',
  options: WaitOptions = {},
): Promise<Volume> {
  const signal = withSignal(options);
  const failure: readonly string[] = VOLUME_STATUS.failure;
  return waitForStatus(
    { what: `volume ${id}`, success: statusList(wanted), failure },
    async () =>
      explainFailure(
        session,
        id,
        await observe(
          () => orUndefined(() => get(session, id, signal)),
          (v) => v.status,
        ),
        failure,
        signal,
      ),
    options,
  );
}

export function waitForVolumeDeleted(session: Session, id: string, options: WaitOptions = {}): Promise<void> {
  const what = `volume ${id}`;
  return waitForDeletion(
    what,
    () =>
      observeDeletion(
        what,
        () => orUndefined(() => get(session, id, withSignal(options))),
        (v) => v.status,
        {
          failures: ['error_deleting'],
        },
      ),
    options,
  );
}
