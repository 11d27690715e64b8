import type { WireDocument } from '../../common.js';

/** A Keystone v3 project, as `/v3/auth/projects` and `/v3/projects/{id}` return it. */
export interface Project extends WireDocument {
  id: string;
  name: string;
  domain_id: string;
  description?: string;
  enabled: boolean;
  is_domain?: boolean;
  parent_id?: string | null;
  tags?: string[];
  links?: { self?: string };
}
