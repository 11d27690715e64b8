import * as networks from '../../openstack/network/networks/index.js';
import { orUndefined } from '../../openstack/common.js';
import { defined, intent, opts, type KindApply } from '../apply/context.js';
import { findNeutron, listTagged, tagNeutron } from '../apply/neutron.js';
import type { NetworkDocument } from './document.js';

export const networkApply: KindApply<NetworkDocument> = {
  kind: 'network.network',
  find: (ctx, node, doc, entry) =>
    findNeutron(ctx, node, (f) => networks.list(ctx.session, f, opts(ctx)), doc.name, intent(entry)),
  async create(ctx, node, doc, record, existing) {
    if (existing) {
      await tagNeutron(ctx, 'networks', existing.id, node, doc.tags);
      return existing;
    }
    const net = await networks.create(
      ctx.session,
      defined<networks.CreateNetworkInput>({
        name: doc.name,
        description: doc.description,
        admin_state_up: doc.admin_state_up,
        mtu: doc.mtu,
        ...(ctx.caps.portSecurity ? { port_security_enabled: doc.port_security_enabled } : {}),
      }),
      opts(ctx),
    );
    await record({ id: net.id });
    await tagNeutron(ctx, 'networks', net.id, node, doc.tags);
    return { id: net.id };
  },
  tagged: listTagged(networks.list),
  async remove(ctx, entry) {
    if (entry.targetId)
      await orUndefined(() => networks.remove(ctx.session, entry.targetId as string, opts(ctx)));
  },
};
