import { v, type DocumentOf } from './document.js';

/** Volume types are the operator's: the node is keyed by the type's name and mapped at the destination. */
export function volumeTypeIdentity(name: string): Record<string, unknown> {
  return { name };
}

export const volumeTypeDocument = v.object({ name: v.string() });
export type VolumeTypeDocument = DocumentOf<typeof volumeTypeDocument>;
