import * as ports from '../../openstack/network/ports/index.js';
import { HttpError } from '../../openstack/http/errors.js';
import { orUndefined } from '../../openstack/common.js';
import { defined, intent, maybeTargetOf, opts, targetOf, text, type KindApply } from '../apply/context.js';
import { findNeutron, listTagged, tagNeutron } from '../apply/neutron.js';
import type { PortDocument } from './document.js';

export const portApply: KindApply<PortDocument> = {
  kind: 'network.port',
  find: (ctx, node, doc, entry) =>
    findNeutron(ctx, node, (f) => ports.list(ctx.session, f, opts(ctx)), doc.name, intent(entry)),
  async create(ctx, node, doc, record, existing) {
    if (existing) {
      await tagNeutron(ctx, 'ports', existing.id, node, doc.tags);
      return existing;
    }
    const fixed = (doc.fixed_ips ?? []).flatMap((f) => {
      const subnet = maybeTargetOf(ctx, 'network.subnet', f.subnet_id);
      // A subnet of a network we do not own is the cloud's: let it choose the address.
      return subnet && ctx.plan.get(`network.subnet:${f.subnet_id}`)?.action === 'create'
        ? [{ subnet_id: subnet, ...(f.ip_address ? { ip_address: f.ip_address } : {}) }]
        : [];
    });
    const groups = (doc.security_groups ?? []).map((sg) => targetOf(ctx, 'network.security-group', sg));
    const portSecurity = doc.port_security_enabled ?? undefined;
    const body = defined<ports.CreatePortInput>({
      network_id: targetOf(ctx, 'network.network', doc.network_id),
      name: doc.name,
      description: doc.description,
      admin_state_up: doc.admin_state_up,
      ...(fixed.length ? { fixed_ips: fixed } : {}),
      mac_address: doc.mac_address,
      ...(portSecurity === false ? {} : { security_groups: groups }),
      ...(ctx.caps.portSecurity && portSecurity !== undefined ? { port_security_enabled: portSecurity } : {}),
      ...(ctx.caps.allowedAddressPairs && doc.allowed_address_pairs?.length
        ? { allowed_address_pairs: doc.allowed_address_pairs }
        : {}),
      extra_dhcp_opts: doc.extra_dhcp_opts?.length ? doc.extra_dhcp_opts : undefined,
    });
    let port;
    try {
      port = await ports.create(ctx.session, body, opts(ctx));
    } catch (err) {
      // Choosing a MAC address is refused on some clouds' policy: keep the port, let the cloud pick one.
      if (
        !(err instanceof HttpError) ||
        ![400, 403].includes(err.status) ||
        !body.mac_address ||
        !/mac/i.test(err.fault ?? err.message)
      )
        throw err;
      ctx.warn(
        node.key,
        `port ${text(doc.name, node.sourceId)}: the destination refused MAC address ${body.mac_address}; it gets a new one`,
      );
      const { mac_address: _mac, ...rest } = body;
      port = await ports.create(ctx.session, rest, opts(ctx));
    }
    await record({ id: port.id });
    await tagNeutron(ctx, 'ports', port.id, node, doc.tags);
    return { id: port.id };
  },
  tagged: listTagged(ports.list),
  async remove(ctx, entry) {
    if (entry.targetId) {
      const id = entry.targetId;
      await orUndefined(() => ports.remove(ctx.session, id, opts(ctx)));
    }
  },
};
