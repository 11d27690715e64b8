import type { WireDocument } from '../../common.js';

export interface Extension extends WireDocument {
  /** What to test for: "router", "extraroute", "standard-attr-tag", "port-security", … */
  alias: string;
  name: string;
  description: string;
  updated: string;
  links: unknown[];
}
