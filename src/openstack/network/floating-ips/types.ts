import type { NeutronListFilters, NeutronStandardAttributes } from '../../common.js';

export interface FloatingIp extends NeutronStandardAttributes {
  floating_ip_address: string;
  floating_network_id: string;
  router_id: string | null;
  port_id: string | null;
  fixed_ip_address: string | null;
  status: string;
  /** fip-port-details */
  port_details?: {
    name: string;
    network_id: string;
    mac_address: string;
    admin_state_up: boolean;
    status: string;
    device_id: string;
    device_owner: string;
  } | null;
  dns_name?: string;
  dns_domain?: string;
  qos_policy_id?: string | null;
}

export interface CreateFloatingIpInput {
  floating_network_id: string;
  port_id?: string;
  fixed_ip_address?: string;
  /** Admin-only by default policy: the address is the cloud's choice. */
  floating_ip_address?: string;
  subnet_id?: string;
  description?: string;
  dns_name?: string;
  dns_domain?: string;
}

export interface UpdateFloatingIpInput {
  /** null disassociates. */
  port_id?: string | null;
  fixed_ip_address?: string | null;
  description?: string;
}

export interface ListFloatingIpsOptions extends NeutronListFilters {
  floating_network_id?: string;
  port_id?: string;
  router_id?: string;
  floating_ip_address?: string;
  fixed_ip_address?: string;
  status?: string;
}
