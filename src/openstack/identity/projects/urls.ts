/** Relative to the Keystone v3 base URL (`identityV3`). */
export const authProjects = (v3: string): string => `${v3}/auth/projects`;
export const project = (v3: string, id: string): string => `${v3}/projects/${encodeURIComponent(id)}`;
