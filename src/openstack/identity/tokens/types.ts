import type { KeystoneTokenBody } from '../../session/auth.js';

/** `GET /v3/auth/tokens` answers with the same body as the token request. */
export type TokenValidation = KeystoneTokenBody;

export interface ValidateTokenOptions {
  /** Leave the catalog out of the answer (`?nocatalog`): it is large and rarely needed here. */
  nocatalog?: boolean;
  /** Also describe a token that has expired (`?allow_expired=1`), within Keystone's window. */
  allowExpired?: boolean;
}
