import { envelope, orUndefined, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { VolumeType } from './types.js';
import * as urls from './urls.js';

/** The volume types the project may use. */
export function list(session: Session, options: RequestOptions = {}): AsyncGenerator<VolumeType> {
  return session.list<VolumeType>('block-storage', urls.types(), 'volume_types', {}, withSignal(options));
}

/** The type a volume gets when none is named; undefined when the cloud sets none (404). */
export function getDefault(session: Session, options: RequestOptions = {}): Promise<VolumeType | undefined> {
  return orUndefined(async () => {
    const res = await session.json<unknown>('block-storage', {
      path: urls.defaultType(),
      ok: [200],
      ...withSignal(options),
    });
    return envelope<VolumeType>(res, 'volume_type', 'GET default volume type');
  });
}
