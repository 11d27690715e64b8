import { listAvailabilityZones, type AvailabilityZone, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import * as urls from './urls.js';

/** The volume zones; Cinder's may differ from Nova's (cross_az_attach matters when they do). */
export function list(session: Session, options: RequestOptions = {}): AsyncGenerator<AvailabilityZone> {
  return listAvailabilityZones(session, 'block-storage', urls.availabilityZones(), options);
}
