/**
 * A summary of the sample workload through the independent witness, the `openstack` CLI, in
 * one CLI process.
 */
import { openstackCli } from './openstack-cli.js';

export interface Route {
  destination: string;
  nexthop: string;
}
export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}
/** Rows of `openstack ... list -f json`, with the CLI's own column names. */
export interface Lists {
  servers: {
    ID: string;
    Name: string;
    Status: string;
    'Image Name': string;
    'Availability Zone': string;
  }[];
  networks: {
    ID: string;
    Name: string;
    Subnets: string[];
    State: boolean;
    Shared: boolean;
    Tags: string[];
  }[];
  subnets: {
    ID: string;
    Name: string;
    Network: string;
    Subnet: string;
    DHCP: boolean;
    'Name Servers': string[];
    'Allocation Pools': { start: string; end: string }[];
    'Host Routes': Route[];
    'IP Version': number;
    Gateway: string | null;
    Tags: string[];
  }[];
  routers: {
    ID: string;
    Name: string;
    State: boolean;
    Routes: Route[];
    'External gateway info': { network_id?: string } | null;
    Tags: string[];
  }[];
  ports: {
    ID: string;
    Name: string;
    'MAC Address': string;
    'Fixed IP Addresses': FixedIp[];
    Status: string;
    'Device Owner': string;
    Tags: string[];
  }[];
  securityGroups: { ID: string; Name: string; Description: string; Tags: string[] }[];
  rules: {
    ID: string;
    'IP Protocol': string | null;
    Ethertype: string;
    'IP Range': string | null;
    'Port Range': string;
    Direction: string;
    'Remote Security Group': string | null;
    'Security Group': string;
  }[];
  volumes: {
    ID: string;
    Name: string;
    Status: string;
    Size: number;
    Type: string;
    Bootable: string;
    'Attached to': { server_id: string; device: string }[];
    Properties: Record<string, string>;
  }[];
  images: { ID: string; Name: string; 'Disk Format': string; Size: number; Status: string; Tags: string[] }[];
  keypairs: { Name: string; Fingerprint: string; Type: string }[];
  serverGroups: { ID: string; Name: string; Policy: string; Members: string[] }[];
  floatingIps: {
    ID: string;
    'Floating IP Address': string;
    'Fixed IP Address': string | null;
    Port: string | null;
    'Floating Network': string;
    Description: string;
    Tags: string[];
  }[];
}

export const LIST_COMMANDS: Record<keyof Lists, string> = {
  servers: 'server list --long',
  networks: 'network list --long',
  subnets: 'subnet list --long',
  routers: 'router list --long',
  ports: 'port list --long',
  securityGroups: 'security group list',
  rules: 'security group rule list',
  volumes: 'volume list --long',
  images: 'image list --private --long',
  keypairs: 'keypair list',
  serverGroups: 'server group list --long',
  floatingIps: 'floating ip list --long',
};

/** Everything the project has (and sees: public networks), as the CLI lists it: one process. */
export async function listAll(cloud: string, clouds: string, netns?: string): Promise<Lists> {
  const names = Object.keys(LIST_COMMANDS) as (keyof Lists)[];
  const docs = await openstackCli(
    cloud,
    clouds,
    names.map((n) => LIST_COMMANDS[n]),
    {},
    netns,
  );
  return Object.fromEntries(names.map((n, i) => [n, docs[i]])) as unknown as Lists;
}

interface CliServer {
  name: string;
  status: string;
  flavor: { original_name: string };
  key_name: string | null;
  properties: Record<string, string>;
  tags: string[];
  security_groups: { name: string }[] | null;
  server_groups: string[];
  addresses: Record<string, string[]>;
  volumes_attached: { id: string }[];
}

interface CliPort {
  name: string;
  description: string;
  security_group_ids: string[];
  port_security_enabled: boolean;
}
interface CliNetwork {
  name: string;
  description: string;
  mtu: number;
  port_security_enabled: boolean;
}

/** A server the batch did not show: it shows up in the summary as one, so the comparison fails. */
const unshown = (name: string): CliServer => ({
  name: `${name} (not shown: not among the names given)`,
  status: '',
  flavor: { original_name: '' },
  key_name: null,
  properties: {},
  tags: [],
  security_groups: null,
  server_groups: [],
  addresses: {},
  volumes_attached: [],
});

export const lookup = <T extends { ID: string }>(rows: T[], field: (row: T) => string) => {
  const map = new Map(rows.map((r) => [r.ID, field(r)]));
  return (id: string | null | undefined) => (id ? (map.get(id) ?? `unknown ${id}`) : null);
};
/** Downpour's provenance (tags `downpour:…`, metadata keys `downpour:…`) is its own bookkeeping. */
export const ownTags = (tags: string[] | null | undefined) =>
  (tags ?? []).filter((t) => !t.startsWith('downpour:')).sort();
export const withoutProvenance = (o: Record<string, string> | null | undefined) =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => !k.startsWith('downpour:')));
export const byName = <T extends { name: string }>(rows: T[]) =>
  rows.sort((a, b) => a.name.localeCompare(b.name));
const routeText = (r: Route[]) => r.map((x) => `${x.destination} via ${x.nexthop}`).sort();

/** The names of what a workload has, to `show` in the same batch as the lists. */
export interface ShownNames {
  servers: string[];
  routers: string[];
  ports: string[];
  networks: string[];
}

/**
 * Every object of the sample workload's shop part in one project (named `<prefix>-…`, except the
 * unrelated `<prefix>-other…`), as the CLI lists and shows it, each id replaced by the name of
 * what it points at: two copies made by different tools compare equal when they are the same.
 * Left out because they differ between any two creations: ids, floating IP addresses and the
 * router's gateway address (Neutron chooses them; choosing is admin-only), and Downpour's
 * provenance tags and metadata. One CLI process: what the lists leave out (a server's tags, a
 * port's groups, a network's MTU) is shown by name, from `names`. Also in `extra`: the answers
 * to further commands, in the same batch.
 */
export async function workloadSummary(
  cloud: string,
  clouds: string,
  prefix: string,
  names: ShownNames,
  extra: string[] = [],
) {
  const lists = Object.keys(LIST_COMMANDS) as (keyof Lists)[];
  const docs = await openstackCli(
    cloud,
    clouds,
    [
      ...lists.map((n) => LIST_COMMANDS[n]),
      ...names.servers.map((n) => `server show ${n}`),
      ...names.routers.map((n) => `port list --router ${n}`),
      ...names.ports.map((n) => `port show ${n}`),
      ...names.networks.map((n) => `network show ${n}`),
      ...extra,
    ],
    // Server tags and server groups show from compute 2.71 on.
    { OS_COMPUTE_API_VERSION: '2.90' },
  );
  const take = <T>(n: number) => docs.splice(0, n) as T[];
  const l = Object.fromEntries(take(lists.length).map((d, i) => [lists[i], d])) as unknown as Lists;
  const byShownName = <T extends { name: string }>(rows: T[]) => new Map(rows.map((r) => [r.name, r]));
  const serverShows = byShownName(take<CliServer>(names.servers.length));
  const routerPorts = new Map(
    take<Lists['ports']>(names.routers.length).map((p, i) => [names.routers[i], p]),
  );
  const portShows = byShownName(take<CliPort>(names.ports.length));
  const networkShows = byShownName(take<CliNetwork>(names.networks.length));

  const ours = (name: string | null) =>
    !!name && name.startsWith(`${prefix}-`) && !name.startsWith(`${prefix}-other`);
  const servers = l.servers.filter((s) => ours(s.Name));
  const shows = servers.map((s) => serverShows.get(s.Name) ?? unshown(s.Name));
  const routers = l.routers.filter((r) => ours(r.Name));
  const ourPorts = l.ports.filter((p) => ours(p.Name));
  const ourNetworks = l.networks.filter((n) => ours(n.Name));

  const networkName = lookup(l.networks, (n) => n.Name);
  const subnetName = lookup(l.subnets, (s) => s.Name);
  const groupName = lookup(l.securityGroups, (g) => g.Name);
  const serverName = lookup(l.servers, (s) => s.Name);
  const volumeName = lookup(l.volumes, (v) => v.Name);
  const portName = lookup(l.ports, (p) => p.Name);
  const serverGroupName = lookup(l.serverGroups, (g) => g.Name);
  const fips = l.floatingIps.filter((f) => ourPorts.some((p) => p.ID === f.Port));
  const fipAddresses = new Set(fips.map((f) => f['Floating IP Address']));
  const fixedIps = (ips: FixedIp[]) => ips.map((f) => `${subnetName(f.subnet_id)} ${f.ip_address}`).sort();
  const ruleText = (r: Lists['rules'][number]) => {
    const remote = r['Remote Security Group'];
    const from = remote ? `group ${groupName(remote)}` : (r['IP Range'] ?? 'anywhere');
    return `${r.Direction} ${r.Ethertype} ${r['IP Protocol'] ?? 'any'} ports ${r['Port Range'] || 'any'} ${from}`;
  };

  const summary = {
    servers: byName(
      shows.map((s) => ({
        name: s.name,
        status: s.status,
        flavor: s.flavor.original_name,
        image: servers.find((x) => x.Name === s.name)?.['Image Name'] ?? null,
        zone: servers.find((x) => x.Name === s.name)?.['Availability Zone'] ?? null,
        keyName: s.key_name,
        metadata: withoutProvenance(s.properties),
        tags: ownTags(s.tags),
        securityGroups: (s.security_groups ?? []).map((g) => g.name).sort(),
        serverGroups: s.server_groups.map(serverGroupName).sort(),
        fixedAddresses: Object.fromEntries(
          Object.entries(s.addresses).map(([net, ips]) => [
            net,
            ips.filter((ip) => !fipAddresses.has(ip)).sort(),
          ]),
        ),
        volumes: s.volumes_attached.map((v) => volumeName(v.id)).sort(),
      })),
    ),
    networks: byName(
      ourNetworks.map((n) => ({
        name: n.Name,
        description: networkShows.get(n.Name)?.description,
        mtu: networkShows.get(n.Name)?.mtu,
        portSecurity: networkShows.get(n.Name)?.port_security_enabled,
        up: n.State,
        shared: n.Shared,
        tags: ownTags(n.Tags),
        subnets: n.Subnets.map(subnetName).sort(),
      })),
    ),
    subnets: byName(
      l.subnets
        .filter((s) => ours(s.Name))
        .map((s) => ({
          name: s.Name,
          network: networkName(s.Network),
          cidr: s.Subnet,
          ipVersion: s['IP Version'],
          gateway: s.Gateway,
          dhcp: s.DHCP,
          dns: [...s['Name Servers']].sort(),
          allocationPools: s['Allocation Pools'].map((p) => `${p.start}-${p.end}`).sort(),
          hostRoutes: routeText(s['Host Routes']),
          tags: ownTags(s.Tags),
        })),
    ),
    routers: byName(
      routers.map((r) => ({
        name: r.Name,
        up: r.State,
        gatewayNetwork: networkName(r['External gateway info']?.network_id),
        interfaces: (routerPorts.get(r.Name) ?? [])
          .flatMap((p) => p['Fixed IP Addresses'])
          .map((f) => `${subnetName(f.subnet_id)} ${f.ip_address}`)
          .sort(),
        routes: routeText(r.Routes),
        tags: ownTags(r.Tags),
      })),
    ),
    ports: byName(
      ourPorts.map((p) => ({
        name: p.Name,
        description: portShows.get(p.Name)?.description,
        fixedIps: fixedIps(p['Fixed IP Addresses']),
        mac: p['MAC Address'],
        deviceOwner: p['Device Owner'],
        status: p.Status,
        portSecurity: portShows.get(p.Name)?.port_security_enabled,
        securityGroups: (portShows.get(p.Name)?.security_group_ids ?? []).map(groupName).sort(),
        tags: ownTags(p.Tags),
      })),
    ),
    securityGroups: byName(
      l.securityGroups
        .filter((g) => ours(g.Name))
        .map((g) => ({
          name: g.Name,
          description: g.Description,
          rules: l.rules
            .filter((r) => r['Security Group'] === g.ID)
            .map(ruleText)
            .sort(),
        })),
    ),
    volumes: byName(
      l.volumes
        .filter((v) => ours(v.Name))
        .map((v) => ({
          name: v.Name,
          status: v.Status,
          size: v.Size,
          type: v.Type,
          bootable: v.Bootable,
          attachedTo: v['Attached to'].map((a) => `${serverName(a.server_id)} ${a.device}`).sort(),
          properties: withoutProvenance(v.Properties),
        })),
    ),
    images: byName(
      l.images
        .filter((i) => ours(i.Name))
        .map((i) => ({ name: i.Name, diskFormat: i['Disk Format'], size: i.Size, status: i.Status })),
    ),
    keypairs: byName(
      l.keypairs
        .filter((k) => ours(k.Name))
        .map((k) => ({ name: k.Name, fingerprint: k.Fingerprint, type: k.Type })),
    ),
    serverGroups: byName(
      l.serverGroups
        .filter((g) => ours(g.Name))
        .map((g) => ({ name: g.Name, policy: g.Policy, members: g.Members.map(serverName).sort() })),
    ),
    floatingIps: fips
      .map((f) => ({
        port: portName(f.Port),
        fixedIp: f['Fixed IP Address'],
        network: networkName(f['Floating Network']),
        description: f.Description,
      }))
      .sort((a, b) => String(a.port).localeCompare(String(b.port))),
  };
  return {
    summary,
    floatingAddresses: [...fipAddresses].sort(),
    extra: docs,
  };
}

export type WorkloadSummary = Awaited<ReturnType<typeof workloadSummary>>['summary'];
