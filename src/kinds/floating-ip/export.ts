import { pick, type KindExport, type Reference } from '../kind.js';
import type { FloatingIpDocument } from './document.js';
import { ROUTER_OWNERS } from '../subnet/export.js';
import { floatingIpList } from './source.js';
import { portList } from '../port/source.js';
import { routerList } from '../router/source.js';

export const floatingIpExport: KindExport<FloatingIpDocument> = {
  kind: 'network.floating-ip',
  async describe(ctx, id) {
    const fip = (await ctx.cache.all(floatingIpList)).get(id);
    if (!fip) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `network.floating-ip:${id}`,
        message: `floating IP ${id} is not visible to this project`,
      });
      return undefined;
    }
    const dependsOn: Reference[] = [{ kind: 'network.network', id: fip.floating_network_id }];
    if (fip.port_id) {
      dependsOn.push({ kind: 'network.port', id: fip.port_id });
      // The address is reachable only through a router with a gateway on the floating network
      // and an interface on the port's subnet: that router must exist first.
      const port = (await ctx.cache.all(portList)).get(fip.port_id);
      const subnetIds = new Set(port?.fixed_ips.map((f) => f.subnet_id) ?? []);
      const routers = await ctx.cache.all(routerList);
      for (const p of (await ctx.cache.all(portList)).values()) {
        if (!ROUTER_OWNERS.test(p.device_owner) || !p.fixed_ips.some((f) => subnetIds.has(f.subnet_id)))
          continue;
        if (routers.get(p.device_id)?.external_gateway_info?.network_id === fip.floating_network_id) {
          dependsOn.push({ kind: 'network.router', id: p.device_id });
        }
      }
    }
    ctx.note({
      severity: 'info',
      code: 'FLOATING_IP_CHANGES',
      key: `network.floating-ip:${id}`,
      message: `floating IP ${fip.floating_ip_address} gets a new address at the destination (choosing one is admin-only)`,
    });
    return {
      name: fip.floating_ip_address,
      disposition: 'create',
      document: pick(fip, [
        'floating_network_id',
        'port_id',
        'fixed_ip_address',
        'floating_ip_address',
        'description',
        'tags',
        'dns_name',
        'dns_domain',
      ]),
      dependsOn,
    };
  },
};
