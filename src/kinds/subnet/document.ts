import { maybe, tags, v, type DocumentOf } from '../document.js';

const route = v.object({ destination: v.string(), nexthop: v.string() });

export const subnetDocument = v.object({
  name: maybe(v.string()),
  description: maybe(v.string()),
  network_id: v.string(),
  cidr: v.string(),
  ip_version: v.picklist([4, 6]),
  gateway_ip: maybe(v.string()),
  enable_dhcp: maybe(v.boolean()),
  dns_nameservers: maybe(v.array(v.string())),
  allocation_pools: maybe(v.array(v.object({ start: v.string(), end: v.string() }))),
  host_routes: maybe(v.array(route)),
  ipv6_ra_mode: maybe(v.string()),
  ipv6_address_mode: maybe(v.string()),
  service_types: maybe(v.array(v.string())),
  tags,
});
export type SubnetDocument = DocumentOf<typeof subnetDocument>;
