/** Relative to the Cinder endpoint. */
export const quotaSet = (projectId: string): string => `os-quota-sets/${encodeURIComponent(projectId)}`;
