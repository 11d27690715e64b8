import { pick, type KindExport, type Reference } from '../kind.js';
import { isForeignNetwork } from '../network/export.js';
import type { PortDocument } from './document.js';
import { floatingIpList } from '../floating-ip/source.js';
import { networkList } from '../network/source.js';
import { portList } from './source.js';

export const portExport: KindExport<PortDocument> = {
  kind: 'network.port',
  async describe(ctx, id) {
    const port = (await ctx.cache.all(portList)).get(id);
    if (!port) {
      ctx.note({
        severity: 'warning',
        code: 'NOT_READABLE',
        key: `network.port:${id}`,
        message: `port ${id} is not visible to this project`,
      });
      return undefined;
    }
    const net = (await ctx.cache.all(networkList)).get(port.network_id);
    const foreign = net !== undefined && isForeignNetwork(ctx, net);
    const dependsOn: Reference[] = [{ kind: 'network.network', id: port.network_id }];
    const document: PortDocument = pick(port, [
      'name',
      'description',
      'network_id',
      'mac_address',
      'admin_state_up',
      'security_groups',
      'port_security_enabled',
      'allowed_address_pairs',
      'extra_dhcp_opts',
      'binding:vnic_type',
      'dns_name',
      'tags',
      'device_owner',
      'device_id',
    ]);
    if (foreign) {
      // On a network the project does not own, a member may not choose addresses: let the destination pick.
      document.fixed_ips = port.fixed_ips.map((f) => ({ subnet_id: f.subnet_id }));
      ctx.note({
        severity: 'info',
        code: 'ADDRESS_CHANGES',
        key: `network.port:${id}`,
        message: `port ${port.name || id} is on network ${net.name || net.id}, which the project does not own: its address ${port.fixed_ips.map((f) => f.ip_address).join(', ')} will change`,
      });
    } else {
      document.fixed_ips = port.fixed_ips.map((f) => ({
        subnet_id: f.subnet_id,
        ip_address: f.ip_address,
      }));
      for (const f of port.fixed_ips) dependsOn.push({ kind: 'network.subnet', id: f.subnet_id });
    }
    for (const sg of port.security_groups) dependsOn.push({ kind: 'network.security-group', id: sg });
    for (const sg of port.security_groups) dependsOn.push({ kind: 'network.security-group-rules', id: sg });
    const related: Reference[] = [];
    for (const fip of (await ctx.cache.all(floatingIpList)).values()) {
      if (fip.port_id === id) related.push({ kind: 'network.floating-ip', id: fip.id });
    }
    return { name: port.name || undefined, disposition: 'create', document, dependsOn, related };
  },
};
