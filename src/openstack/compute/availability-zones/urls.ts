/** Relative to the Nova endpoint. */
export const availabilityZones = (): string => 'os-availability-zone';
