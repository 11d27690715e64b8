/** `GET /limits` → `limits.absolute`: the project's limits and what it uses (-1 = unlimited). */
export interface ComputeAbsoluteLimits extends Record<string, number | undefined> {
  maxTotalCores?: number;
  maxTotalInstances?: number;
  maxTotalRAMSize?: number;
  maxServerMeta?: number;
  maxImageMeta?: number;
  maxPersonality?: number;
  maxPersonalitySize?: number;
  maxTotalKeypairs?: number;
  maxServerGroups?: number;
  maxServerGroupMembers?: number;
  totalCoresUsed?: number;
  totalInstancesUsed?: number;
  totalRAMUsed?: number;
  totalServerGroupsUsed?: number;
  /** Before 2.36 only. */
  maxTotalFloatingIps?: number;
  maxSecurityGroups?: number;
  maxSecurityGroupRules?: number;
  totalFloatingIpsUsed?: number;
  totalSecurityGroupsUsed?: number;
}

export interface ComputeLimits {
  absolute: ComputeAbsoluteLimits;
  rate: unknown[];
}
