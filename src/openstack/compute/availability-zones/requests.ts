import { listAvailabilityZones, type AvailabilityZone, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import * as urls from './urls.js';

/** The compute zones a member may name at boot (`hosts` stays null without admin). */
export function list(session: Session, options: RequestOptions = {}): AsyncGenerator<AvailabilityZone> {
  return listAvailabilityZones(session, 'compute', urls.availabilityZones(), options);
}
