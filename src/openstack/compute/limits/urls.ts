/** Relative to the Nova endpoint. */
export const limits = (): string => 'limits';
