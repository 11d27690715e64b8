import type { QuotaUsage } from '../../common.js';

export type { QuotaUsage } from '../../common.js';

/**
 * `GET /os-quota-sets/{project_id}?usage=true`: limit, use and reservations per resource,
 * including per-type entries such as `volumes_<type>` and `gigabytes_<type>`.
 */
export interface BlockStorageQuotaUsage extends Record<string, QuotaUsage | string | undefined> {
  id: string;
  volumes?: QuotaUsage;
  snapshots?: QuotaUsage;
  gigabytes?: QuotaUsage;
  backups?: QuotaUsage;
  backup_gigabytes?: QuotaUsage;
  groups?: QuotaUsage;
  per_volume_gigabytes?: QuotaUsage;
}
