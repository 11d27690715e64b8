import { waitForStatus, type WaitOptions } from '../../../core/wait.js';
import { observe, orUndefined, statusList, withSignal } from '../../common.js';
import type { Session } from '../../session/session.js';
import { get } from './requests.js';
import type { FloatingIp } from './types.js';

/** ACTIVE when associated and wired, DOWN when free. */
export const FLOATING_IP_STATUS = {
  success: ['ACTIVE', 'DOWN'],
  failure: ['ERROR'],
} as const;

export function waitForFloatingIpStatus(
  session: Session,
  id: string,
  wanted: string | readonly string[] = 'ACTIVE',
  options: WaitOptions = {},
): Promise<FloatingIp> {
  return waitForStatus(
    { what: `floating IP ${id}`, success: statusList(wanted), failure: FLOATING_IP_STATUS.failure },
    () =>
      observe(
        () => orUndefined(() => get(session, id, withSignal(options))),
        (f) => f.status,
      ),
    options,
  );
}
