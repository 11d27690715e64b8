import { maybe, tags, v, type DocumentOf } from '../document.js';

/** A port as the bundle stores it: references by source id, no address the cloud chose for itself. */
export const portDocument = v.object({
  name: maybe(v.string()),
  description: maybe(v.string()),
  network_id: v.string(),
  mac_address: maybe(v.string()),
  admin_state_up: maybe(v.boolean()),
  /** Without `ip_address` on a network the project does not own: the destination picks one. */
  fixed_ips: maybe(v.array(v.object({ subnet_id: v.string(), ip_address: maybe(v.string()) }))),
  security_groups: maybe(v.array(v.string())),
  port_security_enabled: maybe(v.boolean()),
  allowed_address_pairs: maybe(v.array(v.object({ ip_address: v.string(), mac_address: maybe(v.string()) }))),
  extra_dhcp_opts: maybe(
    v.array(v.object({ opt_name: v.string(), opt_value: v.string(), ip_version: maybe(v.number()) })),
  ),
  'binding:vnic_type': maybe(v.string()),
  dns_name: maybe(v.string()),
  tags,
  device_owner: maybe(v.string()),
  device_id: maybe(v.string()),
});
export type PortDocument = DocumentOf<typeof portDocument>;
