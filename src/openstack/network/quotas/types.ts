/** `GET /quotas/{project_id}`: limits per resource (-1 = unlimited). */
export interface NetworkQuota extends Record<string, number | undefined> {
  network?: number;
  subnet?: number;
  subnetpool?: number;
  port?: number;
  router?: number;
  floatingip?: number;
  security_group?: number;
  security_group_rule?: number;
  rbac_policy?: number;
}

/** One resource of `…/details.json`; `used` and `reserved` are unknown when the cloud lacks quota-details. */
export interface NetworkQuotaUsage {
  limit: number;
  used?: number;
  reserved?: number;
}

export type NetworkQuotaDetail = Record<string, NetworkQuotaUsage>;
