import { maybe, v, type DocumentOf } from '../document.js';

export const serverGroupDocument = v.object({
  name: v.string(),
  /** Absent only when the source's Nova named none (a group read before 2.64 with no policies). */
  policy: maybe(v.picklist(['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'])),
  rules: maybe(v.object({ max_server_per_host: v.exactOptional(v.number()) })),
});
export type ServerGroupDocument = DocumentOf<typeof serverGroupDocument>;
