/** Paths relative to the Nova endpoint. */
export const keypairs = (): string => 'os-keypairs';
export const keypair = (name: string): string => `os-keypairs/${encodeURIComponent(name)}`;
