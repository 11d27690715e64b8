import { maybe, tags, v, type DocumentOf } from '../document.js';

export const routerDocument = v.object({
  name: maybe(v.string()),
  description: maybe(v.string()),
  admin_state_up: maybe(v.boolean()),
  routes: maybe(v.array(v.object({ destination: v.string(), nexthop: v.string() }))),
  tags,
  availability_zone_hints: maybe(v.array(v.string())),
  /** Recorded as the source had it; the destination's addresses and SNAT are its operator's. */
  external_gateway_info: maybe(
    v.object({
      network_id: v.string(),
      enable_snat: maybe(v.boolean()),
      external_fixed_ips: maybe(
        v.array(v.object({ subnet_id: maybe(v.string()), ip_address: maybe(v.string()) })),
      ),
    }),
  ),
  /** The router's interfaces, one per subnet address. */
  interfaces: maybe(v.array(v.object({ subnet_id: v.string(), ip_address: v.string() }))),
});
export type RouterDocument = DocumentOf<typeof routerDocument>;
