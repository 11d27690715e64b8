import type { Network } from '../../openstack/network/networks/index.js';
import { pick, type KindExport, type SourceContext } from '../kind.js';
import type { NetworkDocument } from './document.js';
import { networkList } from './source.js';
import { subnetList } from '../subnet/source.js';

/** A network the project does not own (external or shared) must already exist at the destination. */
export function isForeignNetwork(ctx: SourceContext, net: Network): boolean {
  return net.project_id !== ctx.cache.projectId;
}

export const networkExport: KindExport<NetworkDocument> = {
  kind: 'network.network',
  async describe(ctx, id) {
    const net = (await ctx.cache.all(networkList)).get(id);
    if (!net) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `network.network:${id}`,
        message: `network ${id} is not visible to this project`,
      });
      return undefined;
    }
    const name = net.name || undefined;
    if (isForeignNetwork(ctx, net)) {
      // External and shared networks belong to the operator: map them, never copy them.
      return {
        name,
        disposition: 'existing',
        identity: {
          name: net.name,
          'router:external': net['router:external'] === true,
          shared: net.shared === true,
        },
        document: pick(net, ['name', 'description', 'router:external', 'shared', 'mtu']),
        dependsOn: [],
      };
    }
    // A network moves with all of its subnets.
    const related = [...(await ctx.cache.all(subnetList)).values()]
      .filter((s) => s.network_id === id)
      .map((s) => ({ kind: 'network.subnet' as const, id: s.id }));
    return {
      name,
      disposition: 'create',
      document: pick(net, [
        'name',
        'description',
        'admin_state_up',
        'mtu',
        'port_security_enabled',
        'dns_domain',
        'tags',
        'availability_zone_hints',
      ]),
      dependsOn: [],
      related,
    };
  },
};
