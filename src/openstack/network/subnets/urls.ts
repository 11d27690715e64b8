/** Relative to the Neutron endpoint. */
export const subnets = (): string => 'subnets';
export const subnet = (id: string): string => `subnets/${encodeURIComponent(id)}`;
