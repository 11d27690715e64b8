import { policyOf } from '../../openstack/compute/server-groups/index.js';
import { pick, type KindExport } from '../kind.js';
import type { ServerGroupDocument } from './document.js';
import { serverGroupList } from './source.js';

export const serverGroupExport: KindExport<ServerGroupDocument> = {
  kind: 'compute.server-group',
  async describe(ctx, id) {
    const group = (await ctx.cache.all(serverGroupList)).get(id);
    if (!group) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `compute.server-group:${id}`,
        message: `server group ${id} is not visible to this project`,
      });
      return undefined;
    }
    const document: ServerGroupDocument = { ...pick(group, ['name', 'rules']), policy: policyOf(group) };
    return { name: group.name, disposition: 'create', document, dependsOn: [] };
  },
};
