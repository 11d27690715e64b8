/** Relative to the Keystone v3 base URL (`identityV3`). */
export const tokens = (v3: string): string => `${v3}/auth/tokens`;
