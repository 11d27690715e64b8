/** Relative to the Cinder endpoint. */
export const types = (): string => 'types';
export const defaultType = (): string => 'types/default';
