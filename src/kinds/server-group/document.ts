import { maybe, v, type DocumentOf } from '../document.js';

export const serverGroupDocument = v.object({
  name: maybe(v.string()),
  policy: maybe(v.string()),
  rules: maybe(v.record(v.string(), v.unknown())),
});
export type ServerGroupDocument = DocumentOf<typeof serverGroupDocument>;
