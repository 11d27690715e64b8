/** Wire shapes of the Swift API (api-ref object-storage): listings are bare JSON arrays. */

/** One entry of `GET /v1/{account}?format=json`. */
export interface ContainerListing {
  name: string;
  count: number;
  bytes: number;
  last_modified?: string;
}

/**
 * One entry of `GET /v1/{account}/{container}?format=json`: an object, or with `delimiter` a
 * pseudo-folder (`subdir`). With `versions`, every version of every object, newest first per
 * name, with its id; a delete marker has content type `application/x-deleted;swift_versions_deleted=1`.
 */
export interface ObjectListing {
  name: string;
  bytes: number;
  /** MD5 of the content (for a static large object, of its manifest). */
  hash: string;
  content_type: string;
  last_modified: string;
  /** A symlink's target, as `container/object` (symlink middleware). */
  symlink_path?: string;
  /** A static large object (listing of `slo` middleware). */
  slo_etag?: string;
  version_id?: string;
  is_latest?: boolean;
  subdir?: string;
}

/** Response headers, lower-cased, of a HEAD or GET. */
export type SwiftHeaders = Record<string, string>;

/** `GET /info`: the middleware the cluster runs and its limits. */
export interface SwiftInfo {
  swift?: {
    version?: string;
    policies?: { name: string; default?: boolean; aliases?: string }[];
    container_listing_limit?: number;
    max_file_size?: number;
    allow_account_management?: boolean;
  };
  slo?: { max_manifest_segments?: number; min_segment_size?: number };
  symlink?: Record<string, unknown>;
  versioned_writes?: Record<string, unknown>;
  object_versioning?: Record<string, unknown>;
  tempurl?: Record<string, unknown>;
  [middleware: string]: unknown;
}

export interface ListOptions {
  prefix?: string;
  /** Every version of every object (object versioning, X-Versions-Enabled). */
  versions?: boolean;
  signal?: AbortSignal;
}
