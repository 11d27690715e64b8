import { envelope, toQuery, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { Flavor, ListFlavorsOptions } from './types.js';
import * as urls from './urls.js';

export function list(
  session: Session,
  filters: ListFlavorsOptions = {},
  options: RequestOptions = {},
): AsyncGenerator<Flavor> {
  return session.list<Flavor>(
    'compute',
    urls.flavorsDetail(),
    'flavors',
    toQuery(filters),
    withSignal(options),
  );
}

export async function get(session: Session, id: string, options: RequestOptions = {}): Promise<Flavor> {
  const res = await session.json<unknown>('compute', {
    path: urls.flavor(id),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<Flavor>(res, 'flavor', `GET flavor ${id}`);
}

/** Extra specs as the policy lets this user see them (before 2.61 they are not in the flavor itself). */
export async function getExtraSpecs(
  session: Session,
  id: string,
  options: RequestOptions = {},
): Promise<Record<string, string>> {
  const res = await session.json<{ extra_specs?: Record<string, string> }>('compute', {
    path: urls.extraSpecs(id),
    ok: [200],
    ...withSignal(options),
  });
  return res.data?.extra_specs ?? {};
}
