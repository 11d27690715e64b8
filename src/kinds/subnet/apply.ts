import * as subnets from '../../openstack/network/subnets/index.js';
import { orUndefined } from '../../openstack/common.js';
import { defined, intent, opts, targetOf, type KindApply } from '../apply/context.js';
import { findNeutron, listTagged, tagNeutron } from '../apply/neutron.js';
import type { SubnetDocument } from './document.js';

export const subnetApply: KindApply<SubnetDocument> = {
  kind: 'network.subnet',
  find: (ctx, node, doc, entry) =>
    findNeutron(ctx, node, (f) => subnets.list(ctx.session, f, opts(ctx)), doc.name, intent(entry)),
  async create(ctx, node, doc, record, existing) {
    if (existing) {
      await tagNeutron(ctx, 'subnets', existing.id, node, doc.tags);
      return existing;
    }
    // `defined` drops nulls, but a null gateway means "no gateway": left out, Neutron would pick one.
    const noGateway = doc.gateway_ip === null ? { gateway_ip: null } : {};
    const subnet = await subnets.create(
      ctx.session,
      {
        ...defined<subnets.CreateSubnetInput>({
          network_id: targetOf(ctx, 'network.network', doc.network_id),
          name: doc.name,
          description: doc.description,
          cidr: doc.cidr,
          ip_version: doc.ip_version,
          gateway_ip: doc.gateway_ip,
          enable_dhcp: doc.enable_dhcp,
          dns_nameservers: doc.dns_nameservers,
          allocation_pools: doc.allocation_pools,
          host_routes: doc.host_routes,
          ipv6_ra_mode: doc.ipv6_ra_mode,
          ipv6_address_mode: doc.ipv6_address_mode,
        }),
        ...noGateway,
      },
      opts(ctx),
    );
    await record({ id: subnet.id });
    await tagNeutron(ctx, 'subnets', subnet.id, node, doc.tags);
    return { id: subnet.id };
  },
  tagged: listTagged(subnets.list),
  async remove(ctx, entry) {
    if (entry.targetId)
      await orUndefined(() => subnets.remove(ctx.session, entry.targetId as string, opts(ctx)));
  },
};
