import { waitForDeletion, waitForStatus, type WaitOptions } from '../../../core/wait.js';
import { observe, observeDeletion, orUndefined, statusList, withSignal } from '../../common.js';
import type { Session } from '../../session/session.js';
import { get } from './requests.js';
import type { Image } from './types.js';

/**
 * Glance statuses. A v2 upload or import that fails sends the image back to `queued`, so
 * `queued` after `saving`/`importing` is a failure, reported as the synthetic `queued-after-saving`.
 */
export const IMAGE_STATUS = {
  success: ['active', 'queued', 'deactivated'],
  progress: ['saving', 'uploading', 'importing'],
  failure: ['killed', 'deleted', 'pending_delete', 'queued-after-saving'],
  gone: ['deleted', 'pending_delete'],
} as const;

/** Wait for `wanted` (default active); killed, deletion or a fall back to queued fail at once. */
export function waitForImageStatus(
  session: Session,
  id: string,
  wanted: string | readonly string[] = 'active',
  options: WaitOptions = {},
): Promise<Image> {
  let progressed = false;
  const statusOf = (image: Image): string => {
    if ((IMAGE_STATUS.progress as readonly string[]).includes(image.status)) progressed = true;
    else if (image.status === 'queued' && progressed) return 'queued-after-saving';
    return image.status;
  };
  const failure = IMAGE_STATUS.failure.filter((s) => !statusList(wanted).includes(s));
  return waitForStatus(
    { what: `image ${id}`, success: statusList(wanted), failure },
    () => observe(() => orUndefined(() => get(session, id, withSignal(options))), statusOf),
    options,
  );
}

/** Gone is 404, or deleted / pending_delete where the cloud delays deletion. */
export function waitForImageDeleted(session: Session, id: string, options: WaitOptions = {}): Promise<void> {
  const what = `image ${id}`;
  return waitForDeletion(
    what,
    () =>
      observeDeletion(
        what,
        () => orUndefined(() => get(session, id, withSignal(options))),
        (i) => i.status,
        {
          goneStates: IMAGE_STATUS.gone,
        },
      ),
    options,
  );
}
