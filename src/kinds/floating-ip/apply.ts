import * as floatingIps from '../../openstack/network/floating-ips/index.js';
import { orUndefined } from '../../openstack/common.js';
import { defined, intent, maybeTargetOf, opts, type KindApply } from '../apply/context.js';
import { findNeutron, listTagged, tagNeutron } from '../apply/neutron.js';
import type { FloatingIpDocument } from './document.js';

export const floatingIpApply: KindApply<FloatingIpDocument> = {
  kind: 'network.floating-ip',
  async find(ctx, node, doc, entry) {
    // Floating IPs have no name: provenance tags lead back to one; when a run died between the
    // create and the tagging, the untagged address on our port is the one it made.
    let found = await findNeutron(
      ctx,
      node,
      (f) => floatingIps.list(ctx.session, f, opts(ctx)),
      undefined,
      undefined,
    );
    const portId = doc.port_id ? maybeTargetOf(ctx, 'network.port', doc.port_id) : undefined;
    if (!found && intent(entry) && portId) {
      for await (const fip of floatingIps.list(ctx.session, { port_id: portId }, opts(ctx))) {
        if (!(fip.tags ?? []).some((t) => t.startsWith('downpour:'))) found = { id: fip.id };
      }
    }
    if (!found) return undefined;
    const fip = await floatingIps.get(ctx.session, found.id, opts(ctx));
    return { id: fip.id, extra: { address: fip.floating_ip_address } };
  },
  async create(ctx, node, doc, record, existing) {
    if (existing) {
      await tagNeutron(ctx, 'floatingips', existing.id, node, doc.tags);
      const fip = await floatingIps.get(ctx.session, existing.id, opts(ctx));
      return {
        id: fip.id,
        extra: { address: fip.floating_ip_address, sourceAddress: doc.floating_ip_address },
      };
    }
    const network = ctx.plan.get(`network.network:${doc.floating_network_id}`)?.target?.id;
    if (!network)
      throw new Error(`no destination network is mapped for floating network ${doc.floating_network_id}`);
    const portId = doc.port_id ? maybeTargetOf(ctx, 'network.port', doc.port_id) : undefined;
    const fip = await floatingIps.create(
      ctx.session,
      defined<floatingIps.CreateFloatingIpInput>({
        floating_network_id: network,
        port_id: portId,
        ...(portId ? { fixed_ip_address: doc.fixed_ip_address } : {}),
        description: doc.description,
      }),
      opts(ctx),
    );
    const extra = { address: fip.floating_ip_address, sourceAddress: doc.floating_ip_address };
    await record({ id: fip.id, extra });
    await tagNeutron(ctx, 'floatingips', fip.id, node, doc.tags);
    return { id: fip.id, extra };
  },
  tagged: listTagged(floatingIps.list),
  async remove(ctx, entry) {
    if (entry.targetId)
      await orUndefined(() => floatingIps.remove(ctx.session, entry.targetId as string, opts(ctx)));
  },
};
