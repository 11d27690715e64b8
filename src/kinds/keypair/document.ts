import { maybe, v, type DocumentOf } from '../document.js';

export const keypairDocument = v.object({
  name: v.string(),
  type: maybe(v.picklist(['ssh', 'x509'])),
  public_key: v.string(),
  fingerprint: maybe(v.string()),
});
export type KeypairDocument = DocumentOf<typeof keypairDocument>;
