import { envelope, toQuery, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { CreateSnapshotInput, ListSnapshotsOptions, Snapshot } from './types.js';
import * as urls from './urls.js';

export function list(
  session: Session,
  filters: ListSnapshotsOptions = {},
  options: RequestOptions = {},
): AsyncGenerator<Snapshot> {
  return session.list<Snapshot>(
    'block-storage',
    urls.snapshotsDetail(),
    'snapshots',
    toQuery(filters),
    withSignal(options),
  );
}

export async function get(session: Session, id: string, options: RequestOptions = {}): Promise<Snapshot> {
  const res = await session.json<unknown>('block-storage', {
    path: urls.snapshot(id),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<Snapshot>(res, 'snapshot', `GET snapshot ${id}`);
}

export async function create(
  session: Session,
  input: CreateSnapshotInput,
  options: RequestOptions = {},
): Promise<Snapshot> {
  const { force, ...fields } = input;
  const needsForce = force === true && !(await session.supports('block-storage', '3.66'));
  const res = await session.json<unknown>('block-storage', {
    method: 'POST',
    path: urls.snapshots(),
    json: { snapshot: { ...fields, ...(needsForce ? { force: true } : {}) } },
    ok: [202],
    ...withSignal(options),
  });
  return envelope<Snapshot>(res, 'snapshot', `POST snapshot of volume ${input.volume_id}`);
}

/** Asynchronous: see `waitForSnapshotDeleted`. */
export async function remove(session: Session, id: string, options: RequestOptions = {}): Promise<void> {
  await session.json<unknown>('block-storage', {
    method: 'DELETE',
    path: urls.snapshot(id),
    ok: [202],
    ...withSignal(options),
  });
}
