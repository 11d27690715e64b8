/** Relative to the Nova endpoint. */
const e = encodeURIComponent;

export const quotaSet = (projectId: string): string => `os-quota-sets/${e(projectId)}`;
export const quotaSetDetail = (projectId: string): string => `os-quota-sets/${e(projectId)}/detail`;
