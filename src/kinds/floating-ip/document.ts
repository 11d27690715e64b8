import { maybe, tags, v, type DocumentOf } from '../document.js';

export const floatingIpDocument = v.object({
  floating_network_id: v.string(),
  port_id: maybe(v.string()),
  fixed_ip_address: maybe(v.string()),
  /** The source's address: recorded for the report, never asked for (admin-only). */
  floating_ip_address: maybe(v.string()),
  description: maybe(v.string()),
  tags,
  dns_name: maybe(v.string()),
  dns_domain: maybe(v.string()),
});
export type FloatingIpDocument = DocumentOf<typeof floatingIpDocument>;
