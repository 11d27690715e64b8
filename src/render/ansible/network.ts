/**
 * Tasks for Neutron resources: networks, subnets, routers, ports, security groups and their
 * rules, floating IPs. Each creates what Downpour's import creates (src/kinds/apply/), with the
 * openstack.cloud module for the kind, and says in a comment where a module cannot.
 */
import type { KindName } from '../../kinds/model.js';
import { docOf, type RenderResource } from '../model.js';
import {
  bool,
  floatingIpIdPath,
  floatingIpServer,
  int,
  list,
  text,
  type AnsibleKind,
  type PlaybookContext,
} from './context.js';
import { expr, type Jinja, type Task, type Value } from './yaml.js';

/**
 * Attributes a kind's module has no option for, set afterwards on the new object through the
 * generic resource module, which compares them and changes only what differs.
 */
function extraAttributes(
  ctx: PlaybookContext,
  r: RenderResource,
  label: string,
  type: 'network' | 'router' | 'ip',
  attributes: Record<string, Value>,
  why: string,
): Task[] {
  if (Object.keys(attributes).length === 0) return [];
  return [
    ctx.task(r, {
      comment: [`The ${why} module has no option for ${Object.keys(attributes).join(', ')}.`],
      name: `${label}: ${Object.keys(attributes).join(', ')}`,
      module: 'openstack.cloud.resource',
      args: {
        service: 'network',
        type,
        attributes: { id: expr(ctx.idOf(r)), ...attributes },
        non_updateable_attributes: ['id'],
      },
    }),
  ];
}

function ownTags(ctx: PlaybookContext, r: RenderResource, module: string): void {
  const tags = list<string>(r.doc['tags']).filter((t) => !t.startsWith('downpour:'));
  if (tags.length)
    ctx.cannot(r, `its tags (${tags.join(', ')}) are not set: the ${module} module has no tags option`);
}

export function networkTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  ownTags(ctx, r, 'network');
  const description = text(r.doc['description']);
  return [
    ctx.task(r, {
      comment: ctx.header(r),
      name: `network ${ctx.name(r)}`,
      module: 'openstack.cloud.network',
      args: {
        name: ctx.name(r),
        admin_state_up: bool(r.doc['admin_state_up']),
        mtu: int(r.doc['mtu']),
        port_security_enabled: bool(r.doc['port_security_enabled']),
        dns_domain: text(r.doc['dns_domain']),
      },
      register: ctx.register(r),
    }),
    ...extraAttributes(
      ctx,
      r,
      `network ${ctx.name(r)}`,
      'network',
      description ? { description } : {},
      'network',
    ),
  ];
}

interface Pool {
  start: string;
  end: string;
}

export function subnetTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  ownTags(ctx, r, 'subnet');
  const pools = list<Pool>(r.doc['allocation_pools']);
  if (pools.length > 1) ctx.need('2.3.0', 'subnet allocation_pools (more than one pool)');
  const gateway = r.doc['gateway_ip'];
  const serviceTypes = list<string>(r.doc['service_types']);
  if (serviceTypes.length)
    ctx.cannot(
      r,
      `its service types (${serviceTypes.join(', ')}) are not set: the subnet module has no such option`,
    );
  const routes = list<{ destination: string; nexthop: string }>(r.doc['host_routes']);
  const dns = list<string>(r.doc['dns_nameservers']);
  return [
    ctx.task(r, {
      comment: ctx.header(r),
      name: `subnet ${ctx.name(r)}`,
      module: 'openstack.cloud.subnet',
      args: {
        name: ctx.name(r),
        // `network_name` is the 2.x modules' alias of `network`, and the 1.x name.
        network_name: ctx.ref('network.network', docOf(r, 'network.subnet').network_id),
        cidr: text(r.doc['cidr']),
        ip_version: int(r.doc['ip_version']),
        ...(typeof gateway === 'string' ? { gateway_ip: gateway } : { no_gateway_ip: true }),
        enable_dhcp: bool(r.doc['enable_dhcp']),
        dns_nameservers: dns.length ? dns : undefined,
        ...(pools.length === 1 && pools[0]
          ? { allocation_pool_start: pools[0].start, allocation_pool_end: pools[0].end }
          : pools.length > 1
            ? { allocation_pools: pools.map((p) => ({ start: p.start, end: p.end })) }
            : {}),
        host_routes: routes.length
          ? routes.map((h) => ({ destination: h.destination, nexthop: h.nexthop }))
          : undefined,
        ipv6_ra_mode: text(r.doc['ipv6_ra_mode']),
        ipv6_address_mode: text(r.doc['ipv6_address_mode']),
        description: text(r.doc['description']),
      },
      register: ctx.register(r),
    }),
  ];
}

export function routerTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  ownTags(ctx, r, 'router');
  const gateway = docOf(r, 'network.router').external_gateway_info;
  const external = ctx.ref('network.network', gateway?.network_id);
  if (gateway?.network_id && !external)
    ctx.cannot(r, 'its external gateway is left out: the bundle does not name its network');
  const interfaces: Value[] = [];
  for (const iface of list<{ subnet_id: string; ip_address: string }>(r.doc['interfaces'])) {
    const subnet = ctx.resourceOf('network.subnet', iface.subnet_id);
    if (!subnet) continue; // a subnet that stayed behind, as in the import
    const subnetRef = ctx.ref('network.subnet', iface.subnet_id) as Jinja;
    if (subnet.doc['gateway_ip'] === iface.ip_address) interfaces.push(subnetRef);
    else
      interfaces.push({
        net: ctx.ref('network.network', docOf(subnet, 'network.subnet').network_id) as Jinja,
        subnet: subnetRef,
        portip: iface.ip_address,
      });
  }
  const routes = list<{ destination: string; nexthop: string }>(r.doc['routes']);
  const description = text(r.doc['description']);
  const tasks = [
    ctx.task(r, {
      comment: [
        ...ctx.header(r),
        ...(external
          ? [
              "The gateway's own address and SNAT are the operator's to choose (admin-only): only its network is asked for.",
            ]
          : []),
      ],
      name: `router ${ctx.name(r)}`,
      module: 'openstack.cloud.router',
      args: {
        name: ctx.name(r),
        admin_state_up: bool(r.doc['admin_state_up']),
        network: external,
        interfaces: interfaces.length ? interfaces : undefined,
      },
      register: ctx.register(r),
    }),
    ...extraAttributes(
      ctx,
      r,
      `router ${ctx.name(r)}`,
      'router',
      description ? { description } : {},
      'router',
    ),
  ];
  if (routes.length) {
    ctx.cannot(
      undefined,
      "Static routes need the destination's extraroute extension: without it their task fails, where Downpour's import leaves them out with a warning",
    );
    tasks.push(
      ctx.task(r, {
        comment: [
          'Static routes: the router module has no option for them. Needs the extraroute',
          "extension at the destination (Downpour's import leaves them out, with a warning, without it).",
        ],
        name: `router ${ctx.name(r)}: static routes`,
        module: 'openstack.cloud.resource',
        args: {
          service: 'network',
          type: 'router',
          attributes: {
            id: expr(ctx.idOf(r)),
            routes: routes.map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
          },
          non_updateable_attributes: ['id'],
        },
      }),
    );
  }
  return tasks;
}

export function portTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  ownTags(ctx, r, 'port');
  const fixed = list<{ subnet_id: string; ip_address?: string }>(r.doc['fixed_ips']).flatMap((f) => {
    // A subnet the playbook does not create is the cloud's: it chooses the address, as in the import.
    const subnet = ctx.resourceOf('network.subnet', f.subnet_id);
    if (!subnet) return [];
    const id = ctx.ref('network.subnet', f.subnet_id) as Jinja;
    return [f.ip_address ? { ip_address: f.ip_address, subnet_id: id } : { subnet_id: id }];
  });
  const portSecurity = bool(r.doc['port_security_enabled']);
  const groups = list<string>(r.doc['security_groups']).flatMap((g) => {
    const ref = ctx.ref('network.security-group', g);
    return ref ? [ref] : [];
  });
  const pairs = list<{ ip_address: string; mac_address?: string }>(r.doc['allowed_address_pairs']);
  const dhcp = list<{ opt_name: string; opt_value: string; ip_version?: number }>(r.doc['extra_dhcp_opts']);
  const vnic = text(r.doc['binding:vnic_type']);
  if (text(r.doc['mac_address']))
    ctx.cannot(
      undefined,
      "Ports keep their MAC addresses. A cloud whose policy refuses a chosen MAC fails the port's task, where Downpour's import lets the cloud choose one",
    );
  return [
    ctx.task(r, {
      comment: [
        ...ctx.header(r),
        ...(text(r.doc['mac_address'])
          ? [
              'Keeps its MAC address. Where the cloud refuses a chosen MAC (policy), this task fails;',
              "Downpour's import then lets the cloud pick one. Remove mac_address to do the same.",
            ]
          : []),
      ],
      name: `port ${ctx.name(r)}`,
      module: 'openstack.cloud.port',
      args: {
        name: ctx.name(r),
        network: ctx.ref('network.network', docOf(r, 'network.port').network_id),
        fixed_ips: fixed.length ? fixed : undefined,
        mac_address: text(r.doc['mac_address']),
        ...(portSecurity === false ? {} : { security_groups: groups }),
        port_security_enabled: portSecurity,
        admin_state_up: bool(r.doc['admin_state_up']),
        description: text(r.doc['description']),
        allowed_address_pairs: pairs.length
          ? pairs.map((p) => ({
              ip_address: p.ip_address,
              ...(p.mac_address ? { mac_address: p.mac_address } : {}),
            }))
          : undefined,
        extra_dhcp_opts: dhcp.length
          ? dhcp.map((o) => ({
              opt_name: o.opt_name,
              opt_value: o.opt_value,
              ...(o.ip_version ? { ip_version: o.ip_version } : {}),
            }))
          : undefined,
        vnic_type: vnic && vnic !== 'normal' ? vnic : undefined,
      },
      register: ctx.register(r),
    }),
  ];
}

export function securityGroupTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  ownTags(ctx, r, 'security_group');
  if (r.doc['is_default'] === true) {
    return [
      ctx.task(r, {
        comment: [
          ...ctx.header(r),
          "Merged into the destination project's own default group, as Downpour's import does: the",
          'module finds it by name and changes nothing; the rules below are added to it. With',
          'credentials that see other projects\' groups, "default" is ambiguous: add project: NAME.',
        ],
        name: 'security group default (the project has it)',
        module: 'openstack.cloud.security_group',
        args: { name: 'default' },
        register: ctx.register(r),
      }),
    ];
  }
  const stateful = r.doc['stateful'];
  if (stateful === false) ctx.need('2.2.0', 'security_group stateful');
  return [
    ctx.task(r, {
      comment: ctx.header(r),
      name: `security group ${ctx.name(r)}`,
      module: 'openstack.cloud.security_group',
      args: {
        name: ctx.name(r),
        description: text(r.doc['description']),
        stateful: stateful === false ? false : undefined,
      },
      register: ctx.register(r),
    }),
  ];
}

interface RuleDoc {
  direction?: string;
  ethertype?: string;
  protocol?: string | number | null;
  port_range_min?: number | null;
  port_range_max?: number | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  remote_address_group_id?: string | null;
  description?: string | null;
}

/** The module matches an existing rule on the options given: a rule for any protocol also matches a narrower one. */
function ambiguous(rule: RuleDoc, others: RuleDoc[]): boolean {
  if (rule.protocol !== null && rule.protocol !== undefined) return false;
  return others.some(
    (o) =>
      o !== rule &&
      o.direction === rule.direction &&
      (o.ethertype ?? 'IPv4') === (rule.ethertype ?? 'IPv4') &&
      (rule.remote_ip_prefix == null || o.remote_ip_prefix === rule.remote_ip_prefix) &&
      (rule.remote_group_id == null || o.remote_group_id === rule.remote_group_id) &&
      (!rule.description || o.description === rule.description),
  );
}

export function securityGroupRuleTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  const groupId = docOf(r, 'network.security-group-rules').security_group_id;
  const group = ctx.resourceOf('network.security-group', groupId);
  const groupRef = ctx.ref('network.security-group', groupId);
  if (!group || !groupRef) return [];
  const rules = list<RuleDoc>(r.doc['rules']);
  const tasks: Task[] = [];
  rules.forEach((rule, i) => {
    const remote = ctx.resourceOf('network.security-group', rule.remote_group_id);
    const protocol =
      rule.protocol === null || rule.protocol === undefined ? undefined : String(rule.protocol);
    const ports =
      rule.port_range_min == null
        ? ''
        : rule.port_range_max == null || rule.port_range_max === rule.port_range_min
          ? ` ${rule.port_range_min}`
          : ` ${rule.port_range_min}-${rule.port_range_max}`;
    const from = remote
      ? ` ${rule.direction === 'egress' ? 'to' : 'from'} group ${ctx.name(remote)}`
      : rule.remote_ip_prefix
        ? ` ${rule.direction === 'egress' ? 'to' : 'from'} ${rule.remote_ip_prefix}`
        : '';
    const summary = `${rule.direction ?? 'ingress'} ${rule.ethertype ?? 'IPv4'} ${protocol ?? 'any'}${ports}${from}`;
    const comment = i === 0 ? [...ctx.header(r)] : [];
    if (rule.remote_address_group_id) {
      ctx.cannot(
        r,
        `rule ${summary} from an address group is left out: the security_group_rule module has no remote address group option`,
      );
      return;
    }
    if (rule.remote_group_id && !remote) {
      ctx.cannot(r, `rule ${summary} is left out: the group it names is not in the bundle`);
      return;
    }
    if (ambiguous(rule, rules)) {
      comment.push(
        'This rule allows any protocol; the module finds rules by the options given, so it also',
        'matches the narrower rule with the same direction and remote, and fails ("more than a',
        'single matching") once both exist.',
      );
      ctx.cannot(
        r,
        `rule ${summary}: the security_group_rule module cannot tell it from a narrower rule of the same group, and fails on it`,
      );
    }
    tasks.push(
      ctx.task(r, {
        comment,
        name: `security group ${ctx.name(group)}: ${summary}`,
        module: 'openstack.cloud.security_group_rule',
        args: {
          security_group: groupRef,
          direction: rule.direction ?? 'ingress',
          // `ethertype` is the 2.x alias of `ether_type`, and the 1.x name.
          ethertype: rule.ethertype ?? 'IPv4',
          protocol,
          port_range_min: rule.port_range_min ?? undefined,
          port_range_max: rule.port_range_max ?? undefined,
          remote_ip_prefix: rule.remote_ip_prefix ?? undefined,
          remote_group: remote ? ctx.ref('network.security-group', rule.remote_group_id) : undefined,
          description: text(rule.description),
        },
      }),
    );
  });
  return tasks;
}

export function floatingIpTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  ownTags(ctx, r, 'floating_ip');
  const fip = docOf(r, 'network.floating-ip');
  const network = ctx.ref('network.network', fip.floating_network_id);
  const description = text(r.doc['description']);
  const fixed = text(r.doc['fixed_ip_address']);
  const server = floatingIpServer(ctx.model, r);
  const port = ctx.resourceOf('network.port', fip.port_id ?? undefined);
  if (server && port) {
    const label = `floating IP for ${ctx.name(server)}${fixed ? ` ${fixed}` : ''}`;
    return [
      ctx.task(r, {
        comment: [
          ...ctx.header(r),
          `A new address (choosing one is admin-only): ids.json maps ${text(r.doc['floating_ip_address']) ?? 'the old one'} to it.`,
          'Attached to the server at its fixed address; a rerun finds it there.',
        ],
        name: label,
        module: 'openstack.cloud.floating_ip',
        args: {
          server: expr(ctx.idOf(server)),
          network,
          fixed_address: fixed,
          nat_destination: ctx.ref('network.network', docOf(port, 'network.port').network_id),
          wait: true,
        },
        register: ctx.register(r),
      }),
      ...extraAttributes(ctx, r, label, 'ip', description ? { description } : {}, 'floating_ip'),
    ];
  }
  // On a port no server of the bundle uses (a virtual IP, say): the resource module creates it on
  // the port directly and finds it again by network and port.
  if (!port)
    ctx.cannot(
      r,
      `it is attached to no port, so the resource module finds it again by its network${description ? ' and description' : ''} only: another floating IP of the project that matches is taken for it`,
    );
  const lookup = ctx.vars.take(`${ctx.register(r)}_network`);
  return [
    ctx.task(r, {
      comment: [
        ...ctx.header(r),
        'The resource module needs the external network by id: looked up by name first.',
      ],
      name: `floating IP ${text(r.doc['floating_ip_address']) ?? ''}: its external network`.replace(
        '  ',
        ' ',
      ),
      module: 'openstack.cloud.networks_info',
      args: { name: network },
      register: lookup,
    }),
    ctx.task(r, {
      comment: [
        `A new address (choosing one is admin-only): ids.json maps ${text(r.doc['floating_ip_address']) ?? 'the old one'} to it.`,
      ],
      name: `floating IP for port ${port ? ctx.name(port) : '(none)'}`,
      module: 'openstack.cloud.resource',
      args: {
        service: 'network',
        type: 'ip',
        attributes: {
          floating_network_id: expr(`${lookup}.networks[0].id`),
          ...(port ? { port_id: ctx.ref('network.port', port.sourceId) as Jinja } : {}),
          ...(port && fixed ? { fixed_ip_address: fixed } : {}),
          ...(description ? { description } : {}),
        },
      },
      register: ctx.register(r),
    }),
  ];
}

/** The blocks of this file by kind name: part of the playbook's table (`ANSIBLE_KINDS`). */
export const ANSIBLE_NETWORK = {
  'network.security-group': {
    tag: 'security_group',
    tasks: securityGroupTasks,
    idPath: 'security_group.id',
    named: 'security-group',
  },
  'network.security-group-rules': { tag: 'security_group_rule', tasks: securityGroupRuleTasks },
  'network.network': { tag: 'network', tasks: networkTasks, idPath: 'network.id', named: 'network' },
  'network.subnet': { tag: 'subnet', tasks: subnetTasks, idPath: 'subnet.id', named: 'subnet' },
  'network.router': { tag: 'router', tasks: routerTasks, idPath: 'router.id', named: 'router' },
  'network.port': { tag: 'port', tasks: portTasks, idPath: 'port.id', named: 'port' },
  'network.floating-ip': { tag: 'floating_ip', tasks: floatingIpTasks, idPath: floatingIpIdPath },
} satisfies Partial<Record<KindName, AnsibleKind>>;
