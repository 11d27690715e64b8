import { envelope, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { ImportKeypairInput, Keypair } from './types.js';
import * as urls from './urls.js';

/** The user's keypairs. Each list item is wrapped once more: `{keypairs: [{keypair: {...}}]}`. */
export async function* list(session: Session, options: RequestOptions = {}): AsyncGenerator<Keypair> {
  for await (const item of session.list<{ keypair: Keypair }>(
    'compute',
    urls.keypairs(),
    'keypairs',
    {},
    withSignal(options),
  )) {
    yield item.keypair;
  }
}

export async function get(session: Session, name: string, options: RequestOptions = {}): Promise<Keypair> {
  const res = await session.json<unknown>('compute', {
    path: urls.keypair(name),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<Keypair>(res, 'keypair', `GET keypair ${name}`);
}

/** Import a public key (200 before 2.2, 201 since). */
export async function create(
  session: Session,
  input: ImportKeypairInput,
  options: RequestOptions = {},
): Promise<Keypair> {
  const res = await session.json<unknown>('compute', {
    method: 'POST',
    path: urls.keypairs(),
    json: { keypair: input },
    ok: [200, 201],
    ...withSignal(options),
  });
  return envelope<Keypair>(res, 'keypair', `POST keypair ${input.name}`);
}

/** 202 before 2.2, 204 since. */
export async function remove(session: Session, name: string, options: RequestOptions = {}): Promise<void> {
  await session.json<unknown>('compute', {
    method: 'DELETE',
    path: urls.keypair(name),
    ok: [202, 204],
    ...withSignal(options),
  });
}
