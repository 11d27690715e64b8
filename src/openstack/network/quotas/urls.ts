/** Relative to the Neutron endpoint. */
const e = encodeURIComponent;

export const quota = (projectId: string): string => `quotas/${e(projectId)}`;
export const quotaDetails = (projectId: string): string => `quotas/${e(projectId)}/details.json`;
