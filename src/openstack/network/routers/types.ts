import type { NeutronListFilters, NeutronStandardAttributes } from '../../common.js';

export interface RouterRoute {
  destination: string;
  nexthop: string;
}

export interface ExternalGatewayInfo {
  network_id: string;
  /** Admin-only to set (ext-gw-mode policy). */
  enable_snat?: boolean;
  /** Admin-only to set: a member cannot choose the gateway address. */
  external_fixed_ips?: { subnet_id?: string; ip_address?: string }[];
}

export interface Router extends NeutronStandardAttributes {
  name: string;
  status: string;
  admin_state_up: boolean;
  external_gateway_info: ExternalGatewayInfo | null;
  /** Needs the extraroute extension. */
  routes?: RouterRoute[];
  distributed?: boolean;
  ha?: boolean;
  availability_zone_hints?: string[];
  availability_zones?: string[];
  flavor_id?: string | null;
}

export interface CreateRouterInput {
  name?: string;
  description?: string;
  admin_state_up?: boolean;
  external_gateway_info?: ExternalGatewayInfo;
  availability_zone_hints?: string[];
}

export interface UpdateRouterInput {
  name?: string;
  description?: string;
  admin_state_up?: boolean;
  /** `null` removes the gateway. */
  external_gateway_info?: ExternalGatewayInfo | null;
  /** Replaces every static route (extraroute). */
  routes?: RouterRoute[];
}

export interface ListRoutersOptions extends NeutronListFilters {
  name?: string;
  status?: string;
}

/** An interface is named by its subnet (the router takes the subnet's gateway IP) or by a port. */
export type RouterInterfaceInput = { subnet_id: string } | { port_id: string };

/** What add/remove_router_interface answer. */
export interface RouterInterface {
  id: string;
  port_id: string;
  subnet_id: string;
  subnet_ids: string[];
  network_id: string;
  project_id?: string;
  tenant_id?: string;
  tags?: string[];
}
