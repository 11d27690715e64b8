/** Relative to the Neutron endpoint. */
export const rules = (): string => 'security-group-rules';
export const rule = (id: string): string => `security-group-rules/${encodeURIComponent(id)}`;
