/** Paths relative to the Nova endpoint. */
export const serverGroups = (): string => 'os-server-groups';
export const serverGroup = (id: string): string => `os-server-groups/${encodeURIComponent(id)}`;
