import { pick, type KindExport } from '../kind.js';
import type { SubnetDocument } from './document.js';
import { isForeignNetwork } from '../network/export.js';
import { networkList } from '../network/source.js';
import { portList } from '../port/source.js';
import { subnetList } from './source.js';

const ROUTER_OWNERS =
  /^network:(router_interface|router_interface_distributed|ha_router_replicated_interface)$/;

export const subnetExport: KindExport<SubnetDocument> = {
  kind: 'network.subnet',
  async describe(ctx, id) {
    const subnet = (await ctx.cache.all(subnetList)).get(id);
    if (!subnet) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `network.subnet:${id}`,
        message: `subnet ${id} is not visible to this project`,
      });
      return undefined;
    }
    const net = (await ctx.cache.all(networkList)).get(subnet.network_id);
    if (subnet.subnetpool_id) {
      ctx.note({
        severity: 'info',
        code: 'SUBNETPOOL',
        key: `network.subnet:${id}`,
        message: `subnet ${subnet.name || id} was allocated from subnet pool ${subnet.subnetpool_id}; it is recreated with the same CIDR, outside any pool`,
      });
    }
    // Routers with an interface on this subnet move with it; their other interfaces only if those subnets move too.
    const routerIds = new Set<string>();
    for (const port of (await ctx.cache.all(portList)).values()) {
      if (ROUTER_OWNERS.test(port.device_owner) && port.fixed_ips.some((f) => f.subnet_id === id))
        routerIds.add(port.device_id);
    }
    return {
      name: subnet.name || undefined,
      disposition: net && isForeignNetwork(ctx, net) ? 'existing' : 'create',
      ...(net && isForeignNetwork(ctx, net)
        ? { identity: { name: subnet.name, cidr: subnet.cidr, network: net.name } }
        : {}),
      document: pick(subnet, [
        'name',
        'description',
        'network_id',
        'cidr',
        'ip_version',
        'gateway_ip',
        'enable_dhcp',
        'dns_nameservers',
        'allocation_pools',
        'host_routes',
        'ipv6_ra_mode',
        'ipv6_address_mode',
        'service_types',
        'tags',
      ]),
      dependsOn: [{ kind: 'network.network', id: subnet.network_id }],
      related: [...routerIds].sort().map((r) => ({ kind: 'network.router' as const, id: r })),
    };
  },
};

export { ROUTER_OWNERS };
