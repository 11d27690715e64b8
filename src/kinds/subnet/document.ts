import { maybe, tags, v, type DocumentOf } from '../document.js';

const route = v.looseObject({ destination: v.string(), nexthop: v.string() });

export const subnetDocument = v.looseObject({
  name: maybe(v.string()),
  description: maybe(v.string()),
  network_id: v.string(),
  cidr: v.string(),
  ip_version: v.picklist([4, 6]),
  gateway_ip: maybe(v.string()),
  enable_dhcp: maybe(v.boolean()),
  dns_nameservers: maybe(v.array(v.string())),
  allocation_pools: maybe(v.array(v.looseObject({ start: v.string(), end: v.string() }))),
  host_routes: maybe(v.array(route)),
  ipv6_ra_mode: maybe(v.picklist(['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'])),
  ipv6_address_mode: maybe(v.picklist(['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'])),
  service_types: maybe(v.array(v.string())),
  tags,
});
export type SubnetDocument = DocumentOf<typeof subnetDocument>;
