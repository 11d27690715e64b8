/** Relative to the Neutron endpoint. */
export const floatingIps = (): string => 'floatingips';
export const floatingIp = (id: string): string => `floatingips/${encodeURIComponent(id)}`;
