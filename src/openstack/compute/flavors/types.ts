import type { WireDocument } from '../../common.js';
import type { Link } from '../servers/types.js';

export interface Flavor extends WireDocument {
  id: string;
  name: string;
  vcpus: number;
  /** MiB */
  ram: number;
  /** GiB; 0 means "the size of the image". */
  disk: number;
  'OS-FLV-EXT-DATA:ephemeral'?: number;
  /** MiB, or "" when none. */
  swap: number | '';
  rxtx_factor?: number;
  'os-flavor-access:is_public'?: boolean;
  'OS-FLV-DISABLED:disabled'?: boolean;
  /** 2.55+ */
  description?: string | null;
  /** 2.61+, filtered by policy. */
  extra_specs?: Record<string, string>;
  links?: Link[];
}

export interface ListFlavorsOptions {
  /** Admin-only beyond the default (public flavors plus the project's private ones). */
  is_public?: boolean;
  minDisk?: number;
  minRam?: number;
  /** 2.102+ */
  name?: string;
  sort_key?: string;
  sort_dir?: 'asc' | 'desc';
  limit?: number;
}
