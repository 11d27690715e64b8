/** Networks, subnets, routers, ports and floating IPs as Heat resources. */
import type { KindName } from '../../kinds/model.js';
import { docOf, refTo } from '../model.js';
import {
  list,
  nonEmpty,
  ownTags,
  props,
  ref,
  single,
  str,
  valueSpecs,
  type BlockMaker,
  type HeatResource,
} from './common.js';

export const network: BlockMaker = (ctx, r) => {
  const d = r.doc;
  const tags = ownTags(d['tags']);
  return single(r, 'OS::Neutron::Net', {
    name: r.name,
    admin_state_up: d['admin_state_up'],
    port_security_enabled: d['port_security_enabled'],
    tags: tags.length ? tags : undefined,
    value_specs: valueSpecs({
      description: nonEmpty(d['description']),
      mtu: typeof d['mtu'] === 'number' ? d['mtu'] : undefined,
    }),
  });
};

export const subnet: BlockMaker = (ctx, r) => {
  const d = r.doc;
  const tags = ownTags(d['tags']);
  const pools = list<unknown>(d['allocation_pools']);
  const dns = list<string>(d['dns_nameservers']);
  const routes = list<unknown>(d['host_routes']);
  return single(r, 'OS::Neutron::Subnet', {
    name: r.name,
    network: ref(ctx, 'network.network', d['network_id']),
    cidr: d['cidr'],
    ip_version: d['ip_version'],
    // Heat's way of saying "no gateway" is an empty string.
    gateway_ip: d['gateway_ip'] === null ? '' : str(d['gateway_ip']),
    enable_dhcp: d['enable_dhcp'],
    dns_nameservers: dns.length ? dns : undefined,
    allocation_pools: pools.length ? pools : undefined,
    host_routes: routes.length ? routes : undefined,
    ipv6_ra_mode: str(d['ipv6_ra_mode']),
    ipv6_address_mode: str(d['ipv6_address_mode']),
    tags: tags.length ? tags : undefined,
    value_specs: valueSpecs({ description: nonEmpty(d['description']) }),
  });
};

interface Iface {
  subnet_id: string;
  ip_address: string;
}

export const router: BlockMaker = (ctx, r) => {
  const d = r.doc;
  const tags = ownTags(d['tags']);
  const gateway = docOf(r, 'network.router').external_gateway_info;
  const gatewayNet = ref(ctx, 'network.network', gateway?.network_id);
  const resources: HeatResource[] = [
    {
      name: r.symbol,
      type: 'OS::Neutron::Router',
      properties: props({
        name: r.name,
        admin_state_up: d['admin_state_up'],
        // The gateway's address and SNAT are the operator's to choose (admin-only): only the network is asked for.
        external_gateway_info: gatewayNet ? { network: gatewayNet } : undefined,
        tags: tags.length ? tags : undefined,
        value_specs: valueSpecs({ description: nonEmpty(d['description']) }),
      }),
    },
  ];
  const interfaces: string[] = [];
  for (const iface of list<Iface>(d['interfaces'])) {
    const found = refTo(ctx.model, 'network.subnet', iface.subnet_id);
    if (found?.type !== 'resource') continue; // that subnet stayed behind
    const sub = found.resource;
    const label = sub.name ?? sub.sourceId;
    const base = `${r.symbol}_${sub.symbol.replace(/^subnet_/, '')}`;
    const name = ctx.names.take(`${base}_interface`);
    if (sub.doc['gateway_ip'] === iface.ip_address) {
      resources.push({
        name,
        type: 'OS::Neutron::RouterInterface',
        comment: [`interface of ${r.name ?? r.symbol} on subnet ${label}, at its gateway address`],
        properties: { router: { get_resource: r.symbol }, subnet: { get_resource: sub.symbol } },
      });
    } else {
      // Not the subnet's gateway address: through a port that keeps the source's address.
      const port = ctx.names.take(`${base}_port`);
      resources.push({
        name: port,
        type: 'OS::Neutron::Port',
        comment: [`the port of ${r.name ?? r.symbol}'s interface on subnet ${label}`],
        properties: {
          name: '',
          network: ref(ctx, 'network.network', sub.doc['network_id']),
          fixed_ips: [{ subnet: { get_resource: sub.symbol }, ip_address: iface.ip_address }],
        },
      });
      resources.push({
        name,
        type: 'OS::Neutron::RouterInterface',
        comment: [`interface of ${r.name ?? r.symbol} on subnet ${label}, at ${iface.ip_address}`],
        properties: { router: { get_resource: r.symbol }, port: { get_resource: port } },
      });
    }
    interfaces.push(name);
  }
  const routes = list<{ destination: string; nexthop: string }>(d['routes']);
  if (routes.length) {
    resources.push({
      name: ctx.names.take(`${r.symbol}_routes`),
      type: 'OS::Neutron::ExtraRouteSet',
      comment: [
        `static routes of ${r.name ?? r.symbol}: their next hops are reachable once the interfaces exist`,
      ],
      properties: {
        router: { get_resource: r.symbol },
        routes: routes.map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
      },
      dependsOn: interfaces,
    });
  }
  return { comment: [r.comment], resources };
};

export const port: BlockMaker = (ctx, r) => {
  const d = r.doc;
  const tags = ownTags(d['tags']);
  const fixed = list<{ subnet_id: string; ip_address?: string }>(d['fixed_ips']).flatMap((f) => {
    const sub = refTo(ctx.model, 'network.subnet', f.subnet_id);
    // A subnet of a network the template does not create is the cloud's: it chooses the address.
    return sub?.type === 'resource'
      ? [props({ subnet: { get_resource: sub.resource.symbol }, ip_address: f.ip_address })]
      : [];
  });
  const portSecurity = docOf(r, 'network.port').port_security_enabled ?? undefined;
  const groups = list<string>(d['security_groups']).flatMap((g) => {
    const group = ctx.groups.reference(g);
    return group === undefined ? [] : [group];
  });
  const pairs = list<unknown>(d['allowed_address_pairs']);
  const dhcp = list<unknown>(d['extra_dhcp_opts']);
  return single(r, 'OS::Neutron::Port', {
    name: r.name ?? '',
    network: ref(ctx, 'network.network', d['network_id']),
    admin_state_up: d['admin_state_up'],
    fixed_ips: fixed.length ? fixed : undefined,
    mac_address: str(d['mac_address']),
    security_groups: portSecurity === false ? undefined : groups,
    port_security_enabled: portSecurity,
    allowed_address_pairs: pairs.length ? pairs : undefined,
    tags: tags.length ? tags : undefined,
    value_specs: valueSpecs({
      description: nonEmpty(d['description']),
      extra_dhcp_opts: dhcp.length ? dhcp : undefined,
    }),
  });
};

export const floatingIp: BlockMaker = (ctx, r) => {
  const d = r.doc;
  const portRef = ref(ctx, 'network.port', d['port_id']);
  if (ownTags(d['tags']).length)
    ctx.limits.push(
      `The floating IP for ${str(d['fixed_ip_address']) ?? r.sourceId} had tags; Heat's OS::Neutron::FloatingIP cannot set them.`,
    );
  return single(
    r,
    'OS::Neutron::FloatingIP',
    {
      floating_network: ref(ctx, 'network.network', d['floating_network_id']),
      port_id: portRef,
      fixed_ip_address: portRef ? str(d['fixed_ip_address']) : undefined,
      value_specs: valueSpecs({ description: nonEmpty(d['description']) }),
    },
    [
      `Its address at the source was ${str(d['floating_ip_address']) ?? 'unknown'}; it gets a new one (choosing it is admin-only): see output ${r.symbol}_address.`,
    ],
  );
};

/** The blocks of this file by kind name: part of the template's table (`HEAT_KINDS`). */
export const HEAT_NETWORK = {
  'network.network': network,
  'network.subnet': subnet,
  'network.router': router,
  'network.port': port,
  'network.floating-ip': floatingIp,
} satisfies Partial<Record<KindName, BlockMaker>>;
