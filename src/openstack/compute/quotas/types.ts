import type { QuotaUsage } from '../../common.js';

export type { QuotaUsage } from '../../common.js';

/** `GET /os-quota-sets/{project_id}`: limits per resource (-1 = unlimited). */
export interface ComputeQuotaSet extends Record<string, number | string | undefined> {
  id: string;
  cores?: number;
  instances?: number;
  ram?: number;
  key_pairs?: number;
  metadata_items?: number;
  server_groups?: number;
  server_group_members?: number;
  injected_files?: number;
  injected_file_content_bytes?: number;
  injected_file_path_bytes?: number;
}

/** `GET /os-quota-sets/{project_id}/detail`: limit, use and reservations per resource. */
export interface ComputeQuotaDetail extends Record<string, QuotaUsage | string | undefined> {
  id: string;
  cores?: QuotaUsage;
  instances?: QuotaUsage;
  ram?: QuotaUsage;
  key_pairs?: QuotaUsage;
  server_groups?: QuotaUsage;
  server_group_members?: QuotaUsage;
}
