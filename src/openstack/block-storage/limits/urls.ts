/** Relative to the Cinder endpoint. */
export const limits = (): string => 'limits';
