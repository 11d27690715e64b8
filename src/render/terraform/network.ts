/**
 * Neutron resources as terraform-provider-openstack blocks, created the way Downpour's import
 * creates them (src/kinds/apply/network.ts, router.ts, security-group.ts, port.ts,
 * floating-ip.ts): fixed IPs and MAC addresses kept on ports, router interfaces at the source's
 * addresses, the source's default security group merged into the destination's.
 */
import type { KindName } from '../../kinds/model.js';
import { expr } from '../hcl.js';
import { docOf, type RenderResource } from '../model.js';
import { Body, bool, list, num, ownTags, str, strings, text } from './body.js';
import {
  addressOf,
  required,
  resource,
  TF_TYPE,
  type TfBlock,
  type TfContext,
  type TerraformKind,
  type TfEmit,
} from './context.js';

export function networkEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  const main = resource(
    ctx,
    TF_TYPE.network,
    r.symbol,
    new Body()
      .set('name', str(d['name']))
      .set('description', text(d['description']))
      .set('admin_state_up', bool(d['admin_state_up']))
      .set('mtu', num(d['mtu']))
      .set('port_security_enabled', bool(d['port_security_enabled']))
      .set('tags', ownTags(d['tags'])),
  );
  return { blocks: [main], main, mapped: true };
}

interface Route {
  destination: string;
  nexthop: string;
}

export function subnetEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  const body = new Body()
    .set(
      'network_id',
      required(ctx.refOf('network.network', String(d['network_id'])), `the network of subnet ${r.name}`),
    )
    .set('name', str(d['name']))
    .set('description', text(d['description']))
    .set('cidr', str(d['cidr']))
    .set('ip_version', num(d['ip_version']))
    .set('gateway_ip', str(d['gateway_ip']))
    // No gateway at the source: without this, Neutron would give the subnet its first address as one.
    .set('no_gateway', d['gateway_ip'] === null ? true : undefined)
    .set('enable_dhcp', bool(d['enable_dhcp']))
    .set('dns_nameservers', strings(d['dns_nameservers']))
    .set('ipv6_ra_mode', str(d['ipv6_ra_mode']))
    .set('ipv6_address_mode', str(d['ipv6_address_mode']))
    .set('tags', ownTags(d['tags']));
  for (const pool of list<{ start: string; end: string }>(d['allocation_pools']))
    body.block('allocation_pool', new Body().set('start', pool.start).set('end', pool.end));
  const main = resource(ctx, TF_TYPE.subnet, r.symbol, body);
  // Version 3 of the provider keeps host routes apart from the subnet.
  const routes = list<Route>(d['host_routes']).map((route, i) =>
    resource(
      ctx,
      TF_TYPE.subnetRoute,
      `${r.symbol}_route_${i + 1}`,
      new Body()
        .set('subnet_id', ctx.ref(main))
        .set('destination_cidr', route.destination)
        .set('next_hop', route.nexthop),
      [`Host route ${route.destination} via ${route.nexthop}, handed out by DHCP.`],
    ),
  );
  return { blocks: [main, ...routes], main, mapped: true };
}

export function routerEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  const gateway = docOf(r, 'network.router').external_gateway_info;
  const external = gateway?.network_id ? ctx.refOf('network.network', gateway.network_id) : undefined;
  const comments: string[] = [];
  if (external)
    comments.push(
      "The gateway's address and SNAT are the cloud operator's (admin-only): only the external network is asked for.",
    );
  else if (gateway?.network_id)
    comments.push('The external network of the gateway is not in the bundle: the router has no gateway.');
  const main = resource(
    ctx,
    TF_TYPE.router,
    r.symbol,
    new Body()
      .set('name', str(d['name']))
      .set('description', text(d['description']))
      .set('admin_state_up', bool(d['admin_state_up']))
      .set('external_network_id', external)
      .set('tags', ownTags(d['tags'])),
    comments,
  );
  const blocks = [main];
  const interfaces: TfBlock[] = [];
  for (const iface of list<{ subnet_id: string; ip_address: string }>(d['interfaces'])) {
    const subnet = ctx.resourceOf('network.subnet', iface.subnet_id);
    const subnetBlock = subnet && ctx.blockOf(subnet);
    if (!subnet || !subnetBlock) {
      main.comments.push(
        `Its interface on subnet ${iface.subnet_id} stays behind: that subnet is not in the bundle.`,
      );
      continue;
    }
    const base = `${r.symbol}_${subnet.symbol}`;
    const body = new Body().set('router_id', ctx.ref(main));
    let what: string;
    if (subnet.doc['gateway_ip'] === iface.ip_address) {
      body.set('subnet_id', ctx.ref(subnetBlock));
      what = `at its gateway address ${iface.ip_address}`;
    } else {
      // Not the gateway address: a port with the source's address becomes the interface.
      const port = resource(
        ctx,
        TF_TYPE.port,
        base,
        new Body()
          .set(
            'network_id',
            required(
              ctx.refOf('network.network', String(subnet.doc['network_id'])),
              `the network of ${subnet.name}`,
            ),
          )
          .block(
            'fixed_ip',
            new Body().set('subnet_id', ctx.ref(subnetBlock)).set('ip_address', iface.ip_address),
          ),
        [
          `The port of router ${r.name}'s interface on ${subnet.name}, at ${iface.ip_address} as at the source.`,
        ],
      );
      blocks.push(port);
      body.set('port_id', ctx.ref(port));
      what = `through a port at ${iface.ip_address}`;
    }
    const block = resource(ctx, TF_TYPE.routerInterface, base, body, [
      `Interface of router ${r.name} on ${subnet.name}, ${what}.`,
    ]);
    blocks.push(block);
    interfaces.push(block);
  }
  // A static route's next hop must be on a subnet the router is attached to.
  const attached = interfaces.map((b) => expr(addressOf(b)));
  list<Route>(d['routes']).forEach((route, i) => {
    const body = new Body()
      .set('router_id', ctx.ref(main))
      .set('destination_cidr', route.destination)
      .set('next_hop', route.nexthop);
    if (attached.length) body.blank().set('depends_on', attached);
    blocks.push(
      resource(ctx, TF_TYPE.routerRoute, `${r.symbol}_route_${i + 1}`, body, [
        `Static route of router ${r.name}: ${route.destination} via ${route.nexthop} (needs the extraroute extension).`,
      ]),
    );
  });
  return { blocks, main, waitFor: [main, ...interfaces], mapped: true };
}

export function securityGroupEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  if (d['is_default'] === true) {
    const main: TfBlock = {
      data: true,
      type: TF_TYPE.secgroup,
      name: ctx.name(TF_TYPE.secgroup, r.symbol, true),
      comments: [
        "Every project has its own default group and Neutron refuses a second one: the source's",
        "rules are added to the destination project's default group, found here, and never removed from it.",
      ],
      body: new Body().set('name', 'default').set('tenant_id', ctx.projectId()).items,
    };
    return { blocks: [main], main, mapped: true };
  }
  const main = resource(
    ctx,
    TF_TYPE.secgroup,
    r.symbol,
    new Body()
      .set('name', str(d['name']) ?? r.sourceId)
      .set('description', text(d['description']))
      .set('stateful', bool(d['stateful']))
      .set('delete_default_rules', true)
      .set('tags', ownTags(d['tags'])),
    ["Neutron's automatic egress rules are removed: the group gets exactly the source's rules, below."],
  );
  return { blocks: [main], main, mapped: true };
}

interface RuleDoc {
  direction?: string;
  ethertype?: string;
  protocol?: string | number | null;
  port_range_min?: number | null;
  port_range_max?: number | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  description?: string | null;
}

/** "ingress IPv4 tcp 5432 from group rfx-web", "egress IPv6 any to anywhere". */
function ruleLabel(rule: RuleDoc, remoteGroup: string | undefined): string {
  const min = rule.port_range_min ?? null;
  const max = rule.port_range_max ?? min;
  const ports = min === null ? '' : min === max ? ` ${min}` : ` ${min}-${max}`;
  const peer = remoteGroup ? `group ${remoteGroup}` : (rule.remote_ip_prefix ?? 'anywhere');
  const way = rule.direction === 'egress' ? 'to' : 'from';
  return `${rule.direction ?? ''} ${rule.ethertype ?? 'IPv4'} ${rule.protocol ?? 'any'}${ports} ${way} ${peer}`;
}

/** The rules Neutron puts in every project's default group: present at the destination already. */
function isStockDefaultRule(rule: RuleDoc, groupId: string): boolean {
  const open =
    (rule.protocol ?? null) === null &&
    (rule.port_range_min ?? null) === null &&
    (rule.port_range_max ?? null) === null &&
    (rule.remote_ip_prefix ?? null) === null;
  if (!open) return false;
  if (rule.direction === 'egress') return (rule.remote_group_id ?? null) === null;
  return rule.direction === 'ingress' && rule.remote_group_id === groupId;
}

export function securityGroupRulesEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const groupId = String(r.doc['security_group_id']);
  const group = required(ctx.resourceOf('network.security-group', groupId), `security group ${groupId}`);
  const groupBlock = required(ctx.blockOf(group), `security group ${groupId}`);
  const merging = group.doc['is_default'] === true;
  const blocks: TfBlock[] = [];
  const notes: string[] = [];
  list<RuleDoc>(r.doc['rules']).forEach((rule, i) => {
    const remoteGroup = rule.remote_group_id
      ? ctx.resourceOf('network.security-group', rule.remote_group_id)
      : undefined;
    const label = ruleLabel(rule, remoteGroup?.name ?? rule.remote_group_id ?? undefined);
    if (merging && isStockDefaultRule(rule, groupId)) {
      notes.push(`Rule ${i + 1} (${label}) is in every default group already.`);
      return;
    }
    const remote = rule.remote_group_id
      ? ctx.refOf('network.security-group', rule.remote_group_id)
      : undefined;
    if (rule.remote_group_id && !remote) {
      notes.push(`Rule ${i + 1} (${label}) is left out: its remote group is not in the bundle.`);
      return;
    }
    const body = new Body()
      .set('security_group_id', ctx.ref(groupBlock))
      .set('direction', rule.direction)
      .set('ethertype', rule.ethertype ?? 'IPv4')
      .set('protocol', rule.protocol == null ? undefined : String(rule.protocol))
      .set('port_range_min', rule.port_range_min ?? undefined)
      .set('port_range_max', rule.port_range_max ?? undefined)
      .set('remote_ip_prefix', rule.remote_ip_prefix ?? undefined)
      .set('remote_group_id', remote)
      .set('description', text(rule.description));
    blocks.push(
      resource(ctx, TF_TYPE.secgroupRule, `${r.symbol}_${i + 1}`, body, [
        `Rule ${i + 1} of ${group.name ?? groupId}: ${label}.`,
      ]),
    );
  });
  return { blocks, main: blocks[0], waitFor: blocks, mapped: false, notes };
}

export function portEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  const notes: string[] = [];
  const body = new Body()
    .set('name', str(d['name']))
    .set('description', text(d['description']))
    .set(
      'network_id',
      required(ctx.refOf('network.network', String(d['network_id'])), `the network of port ${r.name}`),
    )
    .set('admin_state_up', bool(d['admin_state_up']))
    .set('mac_address', str(d['mac_address']));
  const portSecurity = bool(d['port_security_enabled']);
  if (portSecurity !== false) {
    const groups = list<string>(d['security_groups']).flatMap((g) => {
      const ref = ctx.refOf('network.security-group', g);
      return ref ? [ref] : [];
    });
    // An empty list would leave the port to Neutron's default group; the source's had none.
    body.set('security_group_ids', groups.length ? groups : undefined);
    body.set('no_security_groups', groups.length ? undefined : true);
  }
  body.set('port_security_enabled', portSecurity).set('tags', ownTags(d['tags']));
  for (const f of list<{ subnet_id: string; ip_address?: string }>(d['fixed_ips'])) {
    const subnet = ctx.resourceOf('network.subnet', f.subnet_id);
    const subnetBlock = subnet && ctx.blockOf(subnet);
    if (!subnetBlock) {
      // A subnet of a network we do not own is the cloud's: it chooses the address.
      notes.push(
        `Its address ${f.ip_address ?? ''} on a subnet not in the bundle is chosen by the destination.`,
      );
      continue;
    }
    body.block('fixed_ip', new Body().set('subnet_id', ctx.ref(subnetBlock)).set('ip_address', f.ip_address));
  }
  for (const pair of list<{ ip_address: string; mac_address?: string }>(d['allowed_address_pairs']))
    body.block(
      'allowed_address_pairs',
      new Body().set('ip_address', pair.ip_address).set('mac_address', pair.mac_address),
    );
  for (const opt of list<{ opt_name: string; opt_value: string; ip_version?: number }>(d['extra_dhcp_opts']))
    body.block(
      'extra_dhcp_option',
      new Body().set('name', opt.opt_name).set('value', opt.opt_value).set('ip_version', opt.ip_version),
    );
  const main = resource(ctx, TF_TYPE.port, r.symbol, body);
  return { blocks: [main], main, mapped: true, notes };
}

export function floatingIpEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  const network = String(d['floating_network_id']);
  // `pool` takes the external network's name.
  const external = ctx.resourceOf('network.network', network);
  const externalBlock = external && ctx.blockOf(external);
  const pool = externalBlock
    ? ctx.ref(externalBlock, 'name')
    : required(inputName(ctx, network), `floating network ${network}`);
  const main = resource(
    ctx,
    TF_TYPE.floatingIp,
    r.symbol,
    new Body().set('pool', pool).set('description', text(d['description'])).set('tags', ownTags(d['tags'])),
  );
  const blocks = [main];
  const port = str(d['port_id']) ? ctx.resourceOf('network.port', String(d['port_id'])) : undefined;
  const portBlock = port && ctx.blockOf(port);
  if (portBlock) {
    blocks.push(
      resource(
        ctx,
        TF_TYPE.floatingIpAssociate,
        r.symbol,
        new Body()
          .set('floating_ip', ctx.ref(main, 'address'))
          .set('port_id', ctx.ref(portBlock))
          .set('fixed_ip', str(d['fixed_ip_address'])),
        [
          `Associated with ${port.name ?? port.sourceId}${str(d['fixed_ip_address']) ? ` at ${String(d['fixed_ip_address'])}` : ''}.`,
        ],
      ),
    );
  }
  return { blocks, main, mapped: true };
}

/** `var.x` naming an existing network, for arguments that take a name. */
function inputName(ctx: TfContext, networkId: string) {
  const r = ctx.inputOf('network.network', networkId);
  return r ? expr(`var.${r.symbol}`) : undefined;
}

/** The blocks of this file by kind name: part of the configuration's table (`TERRAFORM_KINDS`). */
export const TERRAFORM_NETWORK = {
  'network.security-group': { emit: securityGroupEmit, summary: 9 },
  'network.security-group-rules': { emit: securityGroupRulesEmit },
  'network.network': { emit: networkEmit, summary: 4 },
  'network.subnet': { emit: subnetEmit, summary: 5 },
  'network.router': { emit: routerEmit, summary: 6 },
  'network.port': { emit: portEmit, summary: 7 },
  'network.floating-ip': { emit: floatingIpEmit, summary: 8 },
} satisfies Partial<Record<KindName, TerraformKind>>;
