/** Relative to the Neutron endpoint. */
export const ports = (): string => 'ports';
export const port = (id: string): string => `ports/${encodeURIComponent(id)}`;
