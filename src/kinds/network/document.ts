import { maybe, tags, v, type DocumentOf } from '../document.js';

/** A network: the project's own (created) or the operator's external or shared one (mapped). */
export const networkDocument = v.object({
  name: maybe(v.string()),
  description: maybe(v.string()),
  admin_state_up: maybe(v.boolean()),
  mtu: maybe(v.number()),
  port_security_enabled: maybe(v.boolean()),
  dns_domain: maybe(v.string()),
  tags,
  availability_zone_hints: maybe(v.array(v.string())),
  'router:external': maybe(v.boolean()),
  shared: maybe(v.boolean()),
});
export type NetworkDocument = DocumentOf<typeof networkDocument>;
