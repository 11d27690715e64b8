import { pick, type KindExport, type Reference } from '../kind.js';
import type { RouterDocument } from './document.js';
import { ROUTER_OWNERS } from '../subnet/export.js';
import { portList } from '../port/source.js';
import { routerList } from './source.js';

export const routerExport: KindExport<RouterDocument> = {
  kind: 'network.router',
  async describe(ctx, id) {
    const router = (await ctx.cache.all(routerList)).get(id);
    if (!router) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `network.router:${id}`,
        message: `router ${id} is not visible to this project`,
      });
      return undefined;
    }
    const interfaces: { subnet_id: string; ip_address: string }[] = [];
    for (const port of (await ctx.cache.all(portList)).values()) {
      if (port.device_id !== id || !ROUTER_OWNERS.test(port.device_owner)) continue;
      for (const f of port.fixed_ips) interfaces.push({ subnet_id: f.subnet_id, ip_address: f.ip_address });
    }
    interfaces.sort((a, b) => a.subnet_id.localeCompare(b.subnet_id));
    const gateway = router.external_gateway_info;
    const dependsOn: Reference[] = [];
    const document: RouterDocument = pick(router, [
      'name',
      'description',
      'admin_state_up',
      'routes',
      'tags',
      'availability_zone_hints',
    ]);
    if (gateway?.network_id) {
      dependsOn.push({ kind: 'network.network', id: gateway.network_id });
      // Gateway addresses and SNAT are the operator's to choose (admin-only fields): recorded, not reproduced.
      document.external_gateway_info = pick(gateway, ['network_id', 'enable_snat', 'external_fixed_ips']);
    }
    document.interfaces = interfaces;
    return {
      name: router.name || undefined,
      disposition: 'create',
      document,
      dependsOn,
      softDependsOn: interfaces.map((i) => ({ kind: 'network.subnet' as const, id: i.subnet_id })),
    };
  },
};
