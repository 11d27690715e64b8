/** Relative to the Cinder endpoint. */
export const availabilityZones = (): string => 'os-availability-zone';
