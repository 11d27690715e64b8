import { UnsupportedError } from '../../../core/errors.js';
import { envelope, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { CreateServerGroupInput, ServerGroup, ServerGroupPolicy } from './types.js';
import * as urls from './urls.js';

/** The policy of a group, whichever microversion described it. */
export function policyOf(group: ServerGroup): ServerGroupPolicy | undefined {
  return group.policy ?? group.policies?.[0];
}

export function list(session: Session, options: RequestOptions = {}): AsyncGenerator<ServerGroup> {
  return session.list<ServerGroup>('compute', urls.serverGroups(), 'server_groups', {}, withSignal(options));
}

export async function get(session: Session, id: string, options: RequestOptions = {}): Promise<ServerGroup> {
  const res = await session.json<unknown>('compute', {
    path: urls.serverGroup(id),
    ok: [200],
    ...withSignal(options),
  });
  return envelope<ServerGroup>(res, 'server_group', `GET server group ${id}`);
}

/**
 * Create a group in the shape the negotiated microversion expects. Rules cannot be expressed
 * before 2.64: refuse rather than create a group that allows more than was asked.
 */
export async function create(
  session: Session,
  input: CreateServerGroupInput,
  options: RequestOptions = {},
): Promise<ServerGroup> {
  const modern = await session.supports('compute', '2.64');
  if (!modern && input.rules && Object.keys(input.rules).length > 0) {
    throw new UnsupportedError(
      `server group ${input.name}: rules need compute microversion 2.64, which this cloud does not offer`,
    );
  }
  const body = modern
    ? { name: input.name, policy: input.policy, ...(input.rules ? { rules: input.rules } : {}) }
    : { name: input.name, policies: [input.policy] };
  const res = await session.json<unknown>('compute', {
    method: 'POST',
    path: urls.serverGroups(),
    json: { server_group: body },
    ok: [200],
    ...withSignal(options),
  });
  return envelope<ServerGroup>(res, 'server_group', `POST server group ${input.name}`);
}

export async function remove(session: Session, id: string, options: RequestOptions = {}): Promise<void> {
  await session.json<unknown>('compute', {
    method: 'DELETE',
    path: urls.serverGroup(id),
    ok: [204],
    ...withSignal(options),
  });
}
