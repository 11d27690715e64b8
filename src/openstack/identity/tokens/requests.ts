import { identityV3, orUndefined, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { TokenValidation, ValidateTokenOptions } from './types.js';
import * as urls from './urls.js';

/** What Keystone knows of `subjectToken`; undefined when it is unknown, expired or revoked (404). */
export async function validate(
  session: Session,
  subjectToken: string,
  query: ValidateTokenOptions = {},
  options: RequestOptions = {},
): Promise<TokenValidation | undefined> {
  const v3 = await identityV3(session, options);
  return orUndefined(async () => {
    const res = await session.json<TokenValidation>('identity', {
      path: urls.tokens(v3),
      headers: { 'x-subject-token': subjectToken },
      query: {
        ...(query.nocatalog ? { nocatalog: '' } : {}),
        ...(query.allowExpired ? { allow_expired: 1 } : {}),
      },
      ok: [200],
      ...withSignal(options),
    });
    return res.data;
  });
}

/** Revoke `subjectToken`. Revoking the session's own token only makes it authenticate again. */
export async function revoke(
  session: Session,
  subjectToken: string,
  options: RequestOptions = {},
): Promise<void> {
  const v3 = await identityV3(session, options);
  await session.json<unknown>('identity', {
    method: 'DELETE',
    path: urls.tokens(v3),
    headers: { 'x-subject-token': subjectToken },
    ok: [204],
    ...withSignal(options),
  });
}
