import { envelope, identityV3, orUndefined, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { Project } from './types.js';
import * as urls from './urls.js';

/** The projects the token's user can scope to (no admin policy needed, unlike `GET /v3/projects`). */
export async function* listMine(session: Session, options: RequestOptions = {}): AsyncGenerator<Project> {
  const v3 = await identityV3(session, options);
  yield* session.list<Project>('identity', urls.authProjects(v3), 'projects', {}, withSignal(options));
}

/**
 * One project, or undefined when it does not exist or policy hides it: a member may be
 * refused (403) even a project it belongs to, depending on the cloud's policy.
 */
export async function get(
  session: Session,
  id: string,
  options: RequestOptions = {},
): Promise<Project | undefined> {
  const v3 = await identityV3(session, options);
  return orUndefined(async () => {
    const res = await session.json<unknown>('identity', {
      path: urls.project(v3, id),
      ok: [200],
      ...withSignal(options),
    });
    return envelope<Project>(res, 'project', `GET project ${id}`);
  }, [403, 404]);
}
