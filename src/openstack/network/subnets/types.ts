import type { NeutronListFilters, NeutronStandardAttributes } from '../../common.js';

export interface AllocationPool {
  start: string;
  end: string;
}

export interface HostRoute {
  destination: string;
  nexthop: string;
}

export interface Subnet extends NeutronStandardAttributes {
  name: string;
  network_id: string;
  ip_version: 4 | 6;
  cidr: string;
  gateway_ip: string | null;
  allocation_pools: AllocationPool[];
  dns_nameservers: string[];
  host_routes: HostRoute[];
  enable_dhcp: boolean;
  ipv6_ra_mode?: string | null;
  ipv6_address_mode?: string | null;
  subnetpool_id?: string | null;
  service_types?: string[];
  segment_id?: string | null;
  dns_publish_fixed_ip?: boolean;
}

export interface CreateSubnetInput {
  network_id: string;
  ip_version: 4 | 6;
  /** Omitted when allocating from a subnet pool. */
  cidr?: string;
  name?: string;
  description?: string;
  /** null: no gateway. */
  gateway_ip?: string | null;
  allocation_pools?: AllocationPool[];
  dns_nameservers?: string[];
  host_routes?: HostRoute[];
  enable_dhcp?: boolean;
  ipv6_ra_mode?: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless';
  ipv6_address_mode?: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless';
  subnetpool_id?: string;
  prefixlen?: number;
  service_types?: string[];
  dns_publish_fixed_ip?: boolean;
}

export type UpdateSubnetInput = Partial<
  Pick<
    CreateSubnetInput,
    | 'name'
    | 'description'
    | 'gateway_ip'
    | 'allocation_pools'
    | 'dns_nameservers'
    | 'host_routes'
    | 'enable_dhcp'
    | 'service_types'
    | 'dns_publish_fixed_ip'
  >
>;

export interface ListSubnetsOptions extends NeutronListFilters {
  name?: string;
  network_id?: string;
  ip_version?: 4 | 6;
  cidr?: string;
  subnetpool_id?: string;
}
