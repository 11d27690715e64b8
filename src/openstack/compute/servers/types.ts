import type { WireDocument } from '../../common.js';

export interface Link {
  rel: string;
  href: string;
}

/**
 * The flavor inside a server: since 2.47 an embedded copy (no id: the flavor may have been
 * deleted or changed since), before that a reference by id.
 */
export interface ServerFlavor extends WireDocument {
  id?: string;
  links?: Link[];
  original_name?: string;
  vcpus?: number;
  ram?: number;
  disk?: number;
  ephemeral?: number;
  swap?: number;
  extra_specs?: Record<string, string>;
}

export interface ServerAddress extends WireDocument {
  addr: string;
  version: 4 | 6;
  'OS-EXT-IPS:type'?: 'fixed' | 'floating';
  'OS-EXT-IPS-MAC:mac_addr'?: string;
}

export interface ServerFault extends WireDocument {
  code: number;
  message: string;
  created: string;
  details?: string;
}

/** `GET /servers/{id}` and `/servers/detail`; field names exactly as Nova spells them. */
export interface Server extends WireDocument {
  id: string;
  name: string;
  status: string;
  tenant_id: string;
  user_id: string;
  created: string;
  updated: string;
  hostId?: string;
  /** `""` for a server booted from a volume. */
  image: '' | { id: string; links?: Link[]; properties?: Record<string, string> };
  flavor: ServerFlavor;
  addresses: Record<string, ServerAddress[]>;
  metadata: Record<string, string>;
  key_name: string | null;
  /** 2.26+ */
  tags?: string[];
  /** 2.19+ */
  description?: string | null;
  /** 2.9+ */
  locked?: boolean;
  /** `"True"` or `""`. */
  config_drive?: string;
  accessIPv4?: string;
  accessIPv6?: string;
  progress?: number;
  security_groups?: { name: string }[];
  fault?: ServerFault;
  'OS-EXT-AZ:availability_zone'?: string;
  'OS-EXT-STS:task_state'?: string | null;
  'OS-EXT-STS:vm_state'?: string;
  'OS-EXT-STS:power_state'?: number;
  'OS-SRV-USG:launched_at'?: string | null;
  'OS-SRV-USG:terminated_at'?: string | null;
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  'os-extended-volumes:volumes_attached'?: { id: string; delete_on_termination?: boolean }[];
  /** Admin-only by default policy: absent for a member. */
  'OS-EXT-SRV-ATTR:user_data'?: string | null;
}

export interface ListServersOptions {
  /** A regular expression on the name, as Nova applies it. */
  name?: string;
  status?: string;
  /** Servers having all of these tags (2.26+). */
  tags?: string[];
  /** Servers having any of these tags (2.26+). */
  'tags-any'?: string[];
  'not-tags'?: string[];
  'not-tags-any'?: string[];
  image?: string;
  flavor?: string;
  ip?: string;
  'changes-since'?: string;
  limit?: number;
  sort_key?: string;
  sort_dir?: 'asc' | 'desc';
}

/** One entry of `networks` at create. */
export type ServerNetworkInput =
  { uuid: string; fixed_ip?: string; tag?: string } | { port: string; tag?: string };

export interface BlockDeviceMappingInput {
  boot_index?: number | null;
  uuid?: string;
  source_type: 'blank' | 'image' | 'snapshot' | 'volume';
  destination_type?: 'local' | 'volume';
  volume_size?: number;
  delete_on_termination?: boolean;
  device_name?: string;
  disk_bus?: string;
  device_type?: string;
  guest_format?: string;
  /** 2.42+ */
  tag?: string;
  /** 2.67+, only with blank/image/snapshot sources. */
  volume_type?: string;
}

export interface CreateServerInput {
  name: string;
  flavorRef: string;
  /** Omitted for boot from volume. */
  imageRef?: string;
  /** Required from 2.37. */
  networks: 'auto' | 'none' | ServerNetworkInput[];
  key_name?: string;
  /** Base64, at most 65535 bytes. */
  user_data?: string;
  config_drive?: boolean;
  metadata?: Record<string, string>;
  /** 2.52+ */
  tags?: string[];
  availability_zone?: string;
  security_groups?: { name: string }[];
  block_device_mapping_v2?: BlockDeviceMappingInput[];
  description?: string;
}

/** `os:scheduler_hints`, a sibling of `server` in the create body. */
export interface SchedulerHints {
  /** Server group UUID. */
  group?: string;
  same_host?: string | string[];
  different_host?: string | string[];
  [hint: string]: unknown;
}

/** What `POST /servers` returns: only a reference, the server is still BUILD. */
export interface CreatedServer extends WireDocument {
  id: string;
  links: Link[];
  adminPass?: string;
  security_groups?: { name: string }[];
  'OS-DCF:diskConfig'?: string;
}

export interface CreateServerImageInput {
  name: string;
  metadata?: Record<string, string>;
}

export interface VolumeAttachment extends WireDocument {
  /** Before 2.89 the attachment id equals the volume id. */
  id?: string;
  volumeId: string;
  serverId: string;
  device: string | null;
  /** 2.70+ */
  tag?: string | null;
  /** 2.79+ */
  delete_on_termination?: boolean;
  /** 2.89+ */
  attachment_id?: string;
  bdm_uuid?: string;
}

export interface AttachVolumeInput {
  volumeId: string;
  device?: string;
  tag?: string;
  delete_on_termination?: boolean;
}

export interface InterfaceAttachment extends WireDocument {
  port_id: string;
  net_id: string;
  mac_addr: string;
  port_state: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
  /** 2.70+ */
  tag?: string | null;
}
