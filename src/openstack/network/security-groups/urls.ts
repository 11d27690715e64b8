/** Relative to the Neutron endpoint. */
export const securityGroups = (): string => 'security-groups';
export const securityGroup = (id: string): string => `security-groups/${encodeURIComponent(id)}`;
