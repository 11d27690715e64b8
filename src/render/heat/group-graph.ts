import { refTo, type RenderModel, type RenderResource } from '../model.js';

/** Which group resources name which others in their own properties, to keep them free of cycles. */
export class GroupGraph {
  private readonly edges = new Map<string, Set<string>>();
  constructor(private readonly model: RenderModel) {}

  private group(sourceId: string): RenderResource | undefined {
    const found = refTo(this.model, 'network.security-group', sourceId);
    return found?.type === 'resource' ? found.resource : undefined;
  }

  isDefault(sourceId: string): boolean {
    return this.group(sourceId)?.doc['is_default'] === true;
  }

  /** How a port or a rule resource names a group; undefined when the bundle lacks it. */
  reference(sourceId: string): { get_resource: string } | 'default' | undefined {
    const g = this.group(sourceId);
    if (!g) return undefined;
    return g.doc['is_default'] === true ? 'default' : { get_resource: g.symbol };
  }

  /** Records that group `from` names group `to`, unless `to` already waits for `from`. */
  link(from: string, to: string): boolean {
    const seen = new Set<string>();
    const reaches = (a: string): boolean => {
      if (a === from) return true;
      if (seen.has(a)) return false;
      seen.add(a);
      return [...(this.edges.get(a) ?? [])].some(reaches);
    };
    if (reaches(to)) return false;
    const out = this.edges.get(from) ?? new Set<string>();
    out.add(to);
    this.edges.set(from, out);
    return true;
  }
}
