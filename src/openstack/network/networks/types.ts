import type { NeutronListFilters, NeutronStandardAttributes } from '../../common.js';

export interface Network extends NeutronStandardAttributes {
  name: string;
  status: string;
  admin_state_up: boolean;
  shared: boolean;
  'router:external': boolean;
  subnets: string[];
  mtu?: number;
  port_security_enabled?: boolean;
  availability_zone_hints?: string[];
  availability_zones?: string[];
  ipv4_address_scope?: string | null;
  ipv6_address_scope?: string | null;
  is_default?: boolean;
  dns_domain?: string;
  qos_policy_id?: string | null;
  /** Admin-only by default policy. */
  'provider:network_type'?: string;
  'provider:physical_network'?: string | null;
  'provider:segmentation_id'?: number | null;
}

export interface CreateNetworkInput {
  name?: string;
  description?: string;
  admin_state_up?: boolean;
  mtu?: number;
  port_security_enabled?: boolean;
  availability_zone_hints?: string[];
  dns_domain?: string;
}

export type UpdateNetworkInput = Omit<CreateNetworkInput, 'availability_zone_hints'>;

export interface ListNetworksOptions extends NeutronListFilters {
  name?: string;
  status?: string;
  shared?: boolean;
  'router:external'?: boolean;
  admin_state_up?: boolean;
}
