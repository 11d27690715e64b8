/** Paths relative to the Glance endpoint (which ends in /v2). */
const e = encodeURIComponent;

export const images = (): string => 'images';
export const image = (id: string): string => `images/${e(id)}`;
export const file = (id: string): string => `images/${e(id)}/file`;
export const tag = (id: string, name: string): string => `images/${e(id)}/tags/${e(name)}`;
export const importInfo = (): string => 'info/import';
/** The JSON schema of an image record: its enums say which disk and container formats this Glance accepts. */
export const schema = (): string => 'schemas/image';
