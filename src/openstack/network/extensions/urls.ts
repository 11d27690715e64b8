/** Relative to the Neutron endpoint. */
export const extensions = (): string => 'extensions';
