import type { WireDocument } from '../../common.js';

export type ServerGroupPolicy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';

/** Before 2.64 the policy is a one-element `policies` list; from 2.64 `policy` plus `rules`. */
export interface ServerGroup extends WireDocument {
  id: string;
  name: string;
  members: string[];
  /** ≤ 2.63 */
  policies?: ServerGroupPolicy[];
  /** ≥ 2.64 */
  policy?: ServerGroupPolicy;
  /** ≥ 2.64; only `max_server_per_host`, only with anti-affinity. */
  rules?: { max_server_per_host?: number };
  /** ≤ 2.63, always empty. */
  metadata?: Record<string, string>;
  /** 2.13+ */
  project_id?: string;
  user_id?: string;
}

export interface CreateServerGroupInput {
  name: string;
  policy: ServerGroupPolicy;
  rules?: { max_server_per_host?: number };
}
