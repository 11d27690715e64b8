import type { RegisteredKind } from '../kinds/kind.js';
import type { GraphNode, KindName } from '../kinds/model.js';
import { KINDS } from '../kinds/registry.js';
import { compareVersions } from '../core/versions.js';
import {
  addFinding,
  compareStrings,
  label,
  listSome,
  nodesOfKind,
  num,
  str,
  type PlanContext,
} from './context.js';
import { serverFlavor } from './resolve-compute.js';
import type { DestinationFacts } from './types.js';

type QuotaService = DestinationFacts['quotas'][number]['service'];

const created = (ctx: PlanContext, kind: KindName): GraphNode[] =>
  nodesOfKind(ctx, kind).filter((n) => ctx.planned.get(n.key)?.action === 'create');

/** Words for the quota resources no kind counts one per object against (see each kind's `quota`). */
const RESOURCE_WORDS: Record<string, string> = {
  cores: 'vCPUs',
  ram: 'MiB of RAM',
  security_group_rule: 'security group rules',
  gigabytes: 'GiB of volumes',
};

/**
 * The order quota resources are reported in, within their service. A resource not named here
 * (a new kind's) comes after these, in the registry's order.
 */
const REPORT_ORDER = [
  'instances',
  'cores',
  'ram',
  'key_pairs',
  'server_groups',
  'network',
  'subnet',
  'router',
  'floatingip',
  'port',
  'security_group',
  'security_group_rule',
  'volumes',
  'gigabytes',
];

function words(resource: string): string {
  const known =
    RESOURCE_WORDS[resource] ??
    Object.values<RegisteredKind>(KINDS).find((k) => k.quota?.resource === resource)?.noun[1];
  if (known) return known;
  const typed = /^(volumes|gigabytes)_(.+)$/.exec(resource);
  if (typed)
    return typed[1] === 'volumes' ? `volumes of type ${typed[2]}` : `GiB of volumes of type ${typed[2]}`;
  return resource;
}

type Rule = Record<string, unknown>;
const blank = (v: unknown): boolean => v === null || v === undefined || v === '';
const anyTraffic = (r: Rule): boolean =>
  blank(r['protocol']) &&
  blank(r['port_range_min']) &&
  blank(r['port_range_max']) &&
  blank(r['remote_ip_prefix']) &&
  blank(r['remote_address_group_id']);
/** Neutron's template rules on every new group: egress to anywhere, IPv4 and IPv6. */
const isTemplateEgress = (r: Rule): boolean =>
  r['direction'] === 'egress' && anyTraffic(r) && blank(r['remote_group_id']);
/** The default group's seeded ingress: from members of the group itself. */
const isSeededIngress = (r: Rule, groupId: string): boolean =>
  r['direction'] === 'ingress' && anyTraffic(r) && r['remote_group_id'] === groupId;

/** What the import will create, counted per quota resource as each service names it. */
function countNeeds(ctx: PlanContext): { service: QuotaService; resource: string; amount: number }[] {
  const counts = new Map<string, { service: QuotaService; resource: string; amount: number }>();
  const need = (service: QuotaService, resource: string, amount: number) => {
    const id = `${service}/${resource}`;
    const entry = counts.get(id) ?? { service, resource, amount: 0 };
    entry.amount += amount;
    counts.set(id, entry);
  };

  // One per object created, against the quota its kind names.
  for (const kind of Object.values<RegisteredKind>(KINDS))
    if (kind.quota) need(kind.quota.service, kind.quota.resource, created(ctx, kind.type).length);

  // Nova. Flavors that did not resolve are an error of their own; their servers add nothing here.
  const flavors = created(ctx, 'compute.server').map((s) => serverFlavor(ctx, s.key));
  need(
    'compute',
    'cores',
    flavors.reduce((sum, f) => sum + (f?.vcpus ?? 0), 0),
  );
  need(
    'compute',
    'ram',
    flavors.reduce((sum, f) => sum + (f?.ram ?? 0), 0),
  );

  // Neutron.
  const subnets = created(ctx, 'network.subnet');
  const routers = created(ctx, 'network.router');
  // Ports the project pays for beyond its own: one per router interface (owned by the router's
  // project; the L3 plugin creates them without a quota check, but they count against later
  // port creates). Router gateway and floating IP ports belong to no project (tenant_id '')
  // and count nothing. A DHCP agent adds one port per network with a DHCP subnet, owned by the
  // network's project: counted once per network (clouds without agents, or with several
  // agents per network, differ; this errs on the side of one).
  const interfacePorts = routers.reduce((sum, r) => {
    const interfaces = ctx.doc(r.key)['interfaces'];
    if (!Array.isArray(interfaces)) return sum;
    const subnetIds = new Set(
      interfaces
        .map((i: unknown) => str((i as Record<string, unknown> | null)?.['subnet_id']))
        .filter((id): id is string => !!id && ctx.planned.has(`network.subnet:${id}`)),
    );
    return sum + subnetIds.size;
  }, 0);
  const dhcpNetworks = new Set(
    subnets
      .filter((s) => ctx.doc(s.key)['enable_dhcp'] !== false)
      .map((s) => str(ctx.doc(s.key)['network_id'])),
  );
  dhcpNetworks.delete(undefined);
  need('network', 'port', interfacePorts + dhcpNetworks.size);

  // Security groups: a new group comes with the template egress rules (normally two); the
  // bundle's copies of them are not created again (409 means "exists"). Merged rules count
  // too, except those the destination's default group was seeded with.
  const groups = created(ctx, 'network.security-group');
  let rules = 0;
  for (const node of nodesOfKind(ctx, 'network.security-group-rules')) {
    const action = ctx.planned.get(node.key)?.action;
    const list = ctx.doc(node.key)['rules'];
    const ruleDocs = Array.isArray(list) ? (list as Rule[]) : [];
    if (action === 'create') rules += ruleDocs.filter((r) => !isTemplateEgress(r)).length;
    if (action === 'merge')
      rules += ruleDocs.filter((r) => !isTemplateEgress(r) && !isSeededIngress(r, node.sourceId)).length;
  }
  rules += 2 * groups.length;
  need('network', 'security_group_rule', rules);

  // Cinder, in total and per destination type where the cloud sets per-type quotas.
  const volumes = created(ctx, 'block-storage.volume');
  need(
    'block-storage',
    'gigabytes',
    volumes.reduce((sum, v) => sum + (num(ctx.doc(v.key)['size']) ?? 0), 0),
  );
  const perType = new Map<string, { count: number; size: number }>();
  for (const v of volumes) {
    const type = str(ctx.planned.get(v.key)?.overrides?.['volume_type']);
    if (!type) continue;
    const entry = perType.get(type) ?? { count: 0, size: 0 };
    entry.count += 1;
    entry.size += num(ctx.doc(v.key)['size']) ?? 0;
    perType.set(type, entry);
  }
  for (const [type, { count, size }] of [...perType].sort(([a], [b]) => compareStrings(a, b))) {
    // Only where the cloud has such a quota: a missing per-type entry is not "unknown".
    if (ctx.facts.quotas.some((q) => q.service === 'block-storage' && q.resource === `volumes_${type}`))
      need('block-storage', `volumes_${type}`, count);
    if (ctx.facts.quotas.some((q) => q.service === 'block-storage' && q.resource === `gigabytes_${type}`))
      need('block-storage', `gigabytes_${type}`, size);
  }
  const place = (resource: string) => {
    const i = REPORT_ORDER.indexOf(resource);
    return i < 0 ? REPORT_ORDER.length : i;
  };
  return [...counts.values()]
    .filter((n) => n.amount > 0)
    .sort((a, b) => place(a.resource) - place(b.resource));
}

/** Quotas: one error per resource that lacks room; an unreadable quota is reported as not checked. */
export function checkQuotas(ctx: PlanContext): void {
  const unknown = new Map<QuotaService, string[]>();
  for (const { service, resource, amount } of countNeeds(ctx)) {
    const quota = ctx.facts.quotas.find((q) => q.service === service && q.resource === resource);
    if (!quota) {
      unknown.set(service, [...(unknown.get(service) ?? []), resource]);
      continue;
    }
    if (quota.limit < 0) continue;
    const left = Math.max(0, quota.limit - quota.inUse);
    if (amount > left) {
      addFinding(ctx, {
        severity: 'error',
        code: 'QUOTA_SHORT',
        message: `${service} quota: needs ${amount} ${words(resource)}, ${left} left of ${quota.limit}`,
      });
    }
  }
  checkServerGroupMembers(ctx);
  for (const [service, resources] of unknown) {
    addFinding(ctx, {
      severity: 'info',
      code: 'QUOTA_UNKNOWN',
      message: `${service} quota for ${resources.join(', ')} could not be read (policy or API): not checked`,
    });
  }
}

/** `server_group_members` limits each group, not the project. */
function checkServerGroupMembers(ctx: PlanContext): void {
  const quota = ctx.facts.quotas.find(
    (q) => q.service === 'compute' && q.resource === 'server_group_members',
  );
  if (!quota || quota.limit < 0) return;
  for (const group of created(ctx, 'compute.server-group')) {
    const members = created(ctx, 'compute.server').filter(
      (s) => ctx.doc(s.key)['server_group'] === group.sourceId,
    ).length;
    if (members > quota.limit) {
      addFinding(ctx, {
        severity: 'error',
        code: 'QUOTA_SHORT',
        key: group.key,
        message: `compute quota: server group ${label(group)} needs ${members} members, the limit per group is ${quota.limit}`,
      });
    }
  }
}

/** The service each kind needs; volumes with data also pass through Glance (upload, then create from image). */
const SERVICE_OF: Record<string, keyof DestinationFacts['services']> = {
  compute: 'compute',
  network: 'network',
  image: 'image',
  'block-storage': 'block-storage',
};

export function checkServices(ctx: PlanContext): void {
  const needs = new Map<keyof DestinationFacts['services'], Set<string>>();
  const require = (service: keyof DestinationFacts['services'], kind: string) =>
    needs.set(service, (needs.get(service) ?? new Set()).add(kind));
  for (const node of ctx.nodes) {
    const service = SERVICE_OF[node.kind.split('.')[0] ?? ''];
    if (service) require(service, node.kind);
    if (node.kind === 'block-storage.volume' && node.dataInfo) require('image', node.kind);
  }
  for (const [service, kinds] of [...needs].sort(([a], [b]) => compareStrings(a, b))) {
    if (ctx.facts.services[service]) continue;
    addFinding(ctx, {
      severity: 'error',
      code: 'SERVICE_MISSING',
      message: `the destination has no ${service} service in its catalog; needed for ${[...kinds].sort().join(', ')}`,
    });
  }
}

/** Uploaded data must be in a disk and container format the destination's Glance accepts. */
export function checkFormats(ctx: PlanContext): void {
  const { diskFormats, containerFormats } = ctx.facts;
  for (const node of ctx.nodes) {
    const info = node.dataInfo;
    if (!info || ctx.planned.get(node.key)?.action !== 'create') continue;
    if (diskFormats.length && !diskFormats.includes(info.disk_format)) {
      addFinding(ctx, {
        severity: 'error',
        code: 'FORMAT_REFUSED',
        key: node.key,
        message: `${label(node)} is ${info.disk_format}, a disk format the destination's image service does not accept (it takes ${listSome([...diskFormats].sort(), 20)})`,
      });
    }
    if (containerFormats.length && !containerFormats.includes(info.container_format)) {
      addFinding(ctx, {
        severity: 'error',
        code: 'FORMAT_REFUSED',
        key: node.key,
        message: `${label(node)} has container format ${info.container_format}, which the destination's image service does not accept (it takes ${listSome([...containerFormats].sort(), 20)})`,
      });
    }
  }
}

/** Optional APIs: what is lost or done differently where the destination lacks them. Warnings only. */
export function checkCapabilities(ctx: PlanContext): void {
  const { facts } = ctx;
  if (created(ctx, 'compute.server').length && facts.services.compute) {
    const mv = facts.computeMicroversion;
    if (!mv || compareVersions(mv, '2.52') < 0) {
      addFinding(ctx, {
        severity: 'warning',
        code: 'SERVER_TAGS_UNSUPPORTED',
        message: `the destination's compute API ${mv ? `stops at microversion ${mv}` : 'has no known microversion'}; tags at server create need 2.52: provenance falls back to server metadata`,
      });
    }
  }
  if (!facts.services.network) return;
  const networkCreates = ctx.nodes.filter(
    (n) => n.kind.startsWith('network.') && ctx.planned.get(n.key)?.action === 'create',
  );
  if (!networkCreates.length) return;
  const ext = new Set(facts.networkExtensions);
  if (ext.size === 0) {
    addFinding(ctx, {
      severity: 'info',
      code: 'EXTENSIONS_UNKNOWN',
      message:
        "the destination's network extensions could not be read: tags, routes, port security and address pairs are not checked",
    });
    return;
  }
  if (!ext.has('standard-attr-tag')) {
    addFinding(ctx, {
      severity: 'warning',
      code: 'NETWORK_TAGS_UNSUPPORTED',
      message:
        "the destination's network service has no standard-attr-tag extension: networking resources lose their tags, and provenance falls back to descriptions",
    });
  }
  const warnEach = (nodes: GraphNode[], code: string, message: (n: GraphNode) => string) => {
    for (const n of nodes) addFinding(ctx, { severity: 'warning', code, key: n.key, message: message(n) });
  };
  if (!ext.has('extraroute')) {
    const withRoutes = created(ctx, 'network.router').filter((r) => {
      const routes = ctx.doc(r.key)['routes'];
      return Array.isArray(routes) && routes.length > 0;
    });
    warnEach(
      withRoutes,
      'ROUTES_DROPPED',
      (r) =>
        `router ${label(r)} has static routes, but the destination lacks the extraroute extension: the routes are dropped`,
    );
  }
  if (!ext.has('port-security')) {
    const insecure = [...created(ctx, 'network.network'), ...created(ctx, 'network.port')].filter(
      (n) => ctx.doc(n.key)['port_security_enabled'] === false,
    );
    warnEach(
      insecure,
      'PORT_SECURITY_UNSUPPORTED',
      (n) =>
        `${n.kind === 'network.port' ? 'port' : 'network'} ${label(n)} disables port security, but the destination lacks the port-security extension: it gets the cloud's default (filtering on)`,
    );
  }
  if (!ext.has('allowed-address-pairs')) {
    const paired = created(ctx, 'network.port').filter((p) => {
      const pairs = ctx.doc(p.key)['allowed_address_pairs'];
      return Array.isArray(pairs) && pairs.length > 0;
    });
    warnEach(
      paired,
      'ADDRESS_PAIRS_UNSUPPORTED',
      (p) =>
        `port ${label(p)} has allowed address pairs, but the destination lacks the allowed-address-pairs extension: they are dropped`,
    );
  }
}

const COLLISION_KINDS: readonly KindName[] = [
  'network.network',
  'network.router',
  'network.security-group',
  'compute.server',
  'compute.server-group',
  'image.image',
  'block-storage.volume',
];

/** Names that already exist in the destination project: allowed by OpenStack, confusing for people. */
export function checkNameCollisions(ctx: PlanContext): void {
  for (const kind of COLLISION_KINDS) {
    const names = new Set(ctx.facts.existingNames[kind] ?? []);
    if (!names.size) continue;
    for (const node of created(ctx, kind)) {
      const name = str(ctx.doc(node.key)['name']) ?? node.name;
      if (!name || !names.has(name)) continue;
      addFinding(ctx, {
        severity: 'warning',
        code: 'NAME_EXISTS',
        key: node.key,
        message: `the destination project already has a ${kind.split('.')[1]?.replace('-', ' ') ?? kind} named "${name}": the import creates another one with the same name`,
      });
    }
  }
}
