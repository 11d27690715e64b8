import type { TaggableResource } from './types.js';

/** Relative to the Neutron endpoint. */
const e = encodeURIComponent;

export const tags = (type: TaggableResource, id: string): string => `${type}/${e(id)}/tags`;
export const tag = (type: TaggableResource, id: string, name: string): string =>
  `${type}/${e(id)}/tags/${e(name)}`;
