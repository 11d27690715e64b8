/** Relative to the Neutron endpoint (which ends in /v2.0). */
export const networks = (): string => 'networks';
export const network = (id: string): string => `networks/${encodeURIComponent(id)}`;
