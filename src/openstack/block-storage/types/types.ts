import type { WireDocument } from '../../common.js';

export interface VolumeType extends WireDocument {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  'os-volume-type-access:is_public'?: boolean;
  /** Filtered by policy: a member sees only the keys the operator allows. */
  extra_specs?: Record<string, string>;
  qos_specs_id?: string | null;
}
