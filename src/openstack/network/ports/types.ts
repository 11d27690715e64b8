import type { NeutronListFilters, NeutronStandardAttributes } from '../../common.js';

export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

export interface AllowedAddressPair {
  ip_address: string;
  mac_address?: string;
}

export interface Port extends NeutronStandardAttributes {
  name: string;
  network_id: string;
  mac_address: string;
  fixed_ips: FixedIp[];
  device_id: string;
  device_owner: string;
  status: string;
  admin_state_up: boolean;
  security_groups: string[];
  port_security_enabled?: boolean;
  allowed_address_pairs?: AllowedAddressPair[];
  extra_dhcp_opts?: { opt_name: string; opt_value: string; ip_version?: number }[];
  'binding:vnic_type'?: string;
  /** Admin-only by default policy. */
  'binding:host_id'?: string;
  'binding:vif_type'?: string;
  'binding:profile'?: Record<string, unknown>;
  dns_name?: string;
  dns_assignment?: { hostname: string; ip_address: string; fqdn: string }[];
  qos_policy_id?: string | null;
  propagate_uplink_status?: boolean;
}

export interface CreatePortInput {
  network_id: string;
  name?: string;
  description?: string;
  /** A member may name addresses only on networks the project owns. */
  fixed_ips?: { subnet_id?: string; ip_address?: string }[];
  mac_address?: string;
  admin_state_up?: boolean;
  security_groups?: string[];
  port_security_enabled?: boolean;
  allowed_address_pairs?: AllowedAddressPair[];
  extra_dhcp_opts?: { opt_name: string; opt_value: string; ip_version?: number }[];
  device_id?: string;
  device_owner?: string;
  'binding:vnic_type'?: string;
  dns_name?: string;
}

export type UpdatePortInput = Partial<Omit<CreatePortInput, 'network_id'>>;

export interface ListPortsOptions extends NeutronListFilters {
  name?: string;
  network_id?: string;
  device_id?: string;
  device_owner?: string;
  status?: string;
  mac_address?: string;
  /** Each entry one `fixed_ips=` filter, e.g. `ip_address=10.0.0.5` or `subnet_id=…`. */
  fixed_ips?: string[];
  security_groups?: string[];
}
