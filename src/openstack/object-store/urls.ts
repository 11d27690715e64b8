/**
 * Paths relative to the Swift account endpoint (`.../v1/AUTH_<project>`). Container names are
 * one path segment; object names may hold `/`, which Swift reads as part of the name, so each
 * segment is encoded and the slashes kept.
 */
export const account = (): string => '';
export const container = (name: string): string => encodeURIComponent(name);
export const object = (containerName: string, name: string): string =>
  `${encodeURIComponent(containerName)}/${name.split('/').map(encodeURIComponent).join('/')}`;
