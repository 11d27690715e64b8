/** Paths relative to the Nova endpoint. */
const e = encodeURIComponent;

export const flavorsDetail = (): string => 'flavors/detail';
export const flavor = (id: string): string => `flavors/${e(id)}`;
export const extraSpecs = (id: string): string => `flavors/${e(id)}/os-extra_specs`;
