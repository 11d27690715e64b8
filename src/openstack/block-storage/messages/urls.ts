/** Relative to the Cinder endpoint. */
export const messages = (): string => 'messages';
