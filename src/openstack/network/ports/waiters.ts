import { waitForStatus, type WaitOptions } from '../../../core/wait.js';
import { observe, orUndefined, statusList, withSignal } from '../../common.js';
import type { Session } from '../../session/session.js';
import { get } from './requests.js';
import type { Port } from './types.js';

/**
 * Port statuses: DOWN until bound and up, BUILD while binding, ACTIVE when bound.
 * ACTIVE alone does not prove a server uses it: check `device_id` too.
 */
export const PORT_STATUS = {
  success: ['ACTIVE', 'DOWN'],
  failure: ['ERROR'],
} as const;

export function waitForPortStatus(
  session: Session,
  id: string,
  wanted: string | readonly string[] = 'ACTIVE',
  options: WaitOptions = {},
): Promise<Port> {
  return waitForStatus(
    { what: `port ${id}`, success: statusList(wanted), failure: PORT_STATUS.failure },
    () =>
      observe(
        () => orUndefined(() => get(session, id, withSignal(options))),
        (p) => p.status,
      ),
    options,
  );
}
