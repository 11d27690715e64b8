import type { WireDocument } from '../../common.js';

export type Visibility = 'public' | 'private' | 'shared' | 'community';

/**
 * A Glance v2 image. Custom properties sit at the top level beside these fields (strings,
 * e.g. `hw_disk_bus`, or Nova's `block_device_mapping` JSON for volume-backed snapshots).
 */
export interface Image extends WireDocument {
  id: string;
  name: string | null;
  status: string;
  visibility: Visibility;
  protected: boolean;
  os_hidden?: boolean;
  owner: string | null;
  disk_format: string | null;
  container_format: string | null;
  /** Bytes; null until data is uploaded. */
  size: number | null;
  virtual_size: number | null;
  /** MD5; no longer filled since Victoria on some clouds: prefer the multihash. */
  checksum: string | null;
  os_hash_algo?: string | null;
  os_hash_value?: string | null;
  min_disk: number;
  min_ram: number;
  tags: string[];
  created_at: string;
  updated_at: string;
  file?: string;
  self?: string;
  schema?: string;
  direct_url?: string;
  locations?: unknown[];
  stores?: string;
}

export interface ListImagesOptions {
  name?: string;
  visibility?: Visibility | 'all';
  /** Images having every one of these tags (one `tag=` parameter each). */
  tag?: string[];
  owner?: string;
  status?: string;
  member_status?: 'accepted' | 'pending' | 'rejected' | 'all';
  os_hidden?: boolean;
  disk_format?: string;
  container_format?: string;
  /** `in:id1,id2` selects several at once. */
  id?: string;
  limit?: number;
  sort_key?: string;
  sort_dir?: 'asc' | 'desc';
  sort?: string;
}

export interface CreateImageInput {
  name?: string;
  disk_format?: string;
  container_format?: string;
  visibility?: Visibility;
  protected?: boolean;
  os_hidden?: boolean;
  min_disk?: number;
  min_ram?: number;
  tags?: string[];
  /** Keep a chosen UUID (collision-prone across clouds: off unless asked for). */
  id?: string;
  /** Custom properties, sent at the top level of the body. Never `os_glance*` (reserved). */
  properties?: Record<string, string>;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  /** Resume from byte `start` (inclusive) to `end` (inclusive, default: the end). */
  range?: { start: number; end?: number };
}

export interface UploadOptions {
  signal?: AbortSignal;
  /** Bytes; Glance checks the upload against it (`x-openstack-image-size`). */
  size?: number;
}

/** `GET /info/import` (Image API 2.6+). */
export interface ImportInfo extends WireDocument {
  'import-methods': { description?: string; type?: string; value: string[] };
}

/** `GET /v2/schemas/image`: a JSON schema; only the parts Downpour reads are typed. */
export interface ImageSchema extends WireDocument {
  name?: string;
  properties: Record<
    string,
    { type?: string | string[]; enum?: (string | null)[]; description?: string } | undefined
  >;
}
