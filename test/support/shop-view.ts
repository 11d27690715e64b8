/**
 * The shop part of the sample workload, as the `openstack` CLI (the independent witness) sees it
 * in one project, every id replaced by the name of what it points at, so that a source and a
 * destination can be compared as they are.
 */
import {
  byName,
  listAll,
  lookup,
  ownTags,
  withoutProvenance,
  type FixedIp,
  type Lists,
  type Route,
} from './cli-witness.js';
import { openstackCli } from './openstack-cli.js';

/** A rule as a line of text, its remote group by name. */
export function ruleText(r: Lists['rules'][number], groupName: (id: string) => string | null): string {
  const remote = r['Remote Security Group'];
  const from = remote ? `group ${groupName(remote)}` : (r['IP Range'] ?? 'anywhere');
  return `${r.Direction} ${r.Ethertype} ${r['IP Protocol'] ?? 'any'} ports ${r['Port Range'] || 'any'} from ${from}`;
}

interface CliServer {
  id: string;
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

/**
 * The shop part of the sample workload as the CLI sees it in one project, with every id
 * replaced by the name of what it points at: the same in the source and at the destination.
 * Documented differences are left out: floating IP addresses (the report maps them), the
 * router's gateway address, and the web server's boot image (its captured disk at the destination).
 */
export async function shopView(cloud: string, clouds: string, prefix: string, netns?: string) {
  const lists = await listAll(cloud, clouds, netns);
  const ours = (name: string | null) =>
    !!name && name.startsWith(`${prefix}-`) && !name.startsWith(`${prefix}-other`);
  const servers = lists.servers.filter((s) => ours(s.Name));
  const routers = lists.routers.filter((r) => ours(r.Name));
  const shows =
    servers.length + routers.length === 0
      ? []
      : await openstackCli(
          cloud,
          clouds,
          [...servers.map((s) => `server show ${s.ID}`), ...routers.map((r) => `port list --router ${r.ID}`)],
          { OS_COMPUTE_API_VERSION: '2.90' },
          netns,
        );
  const serverShows = shows.slice(0, servers.length) as CliServer[];
  const routerPorts = shows.slice(servers.length) as Lists['ports'][];

  const networkName = lookup(lists.networks, (n) => n.Name);
  const subnetName = lookup(lists.subnets, (s) => s.Name);
  const subnetCidr = lookup(lists.subnets, (s) => s.Subnet);
  const groupName = lookup(lists.securityGroups, (g) => g.Name);
  const serverName = lookup(lists.servers, (s) => s.Name);
  const volumeName = lookup(lists.volumes, (v) => v.Name);
  const portName = lookup(lists.ports, (p) => p.Name);
  const serverGroupName = lookup(lists.serverGroups, (g) => g.Name);
  const fips = lists.floatingIps.filter((f) => f.Description === prefix);
  const fipAddresses = new Set(fips.map((f) => f['Floating IP Address']));
  const fixedIps = (ips: FixedIp[]) => ips.map((f) => `${subnetName(f.subnet_id)} ${f.ip_address}`).sort();
  const routes = (r: Route[]) => r.map((x) => `${x.destination} via ${x.nexthop}`).sort();

  const view = {
    servers: byName(
      serverShows.map((s) => ({
        name: s.name,
        status: s.status,
        flavor: s.flavor.original_name,
        keyName: s.key_name,
        metadata: s.properties,
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
      lists.networks
        .filter((n) => ours(n.Name))
        .map((n) => ({
          name: n.Name,
          up: n.State,
          shared: n.Shared,
          tags: ownTags(n.Tags),
          subnets: n.Subnets.map(subnetName).sort(),
        })),
    ),
    subnets: byName(
      lists.subnets
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
          hostRoutes: routes(s['Host Routes']),
          tags: ownTags(s.Tags),
        })),
    ),
    routers: byName(
      routers.map((r, i) => ({
        name: r.Name,
        up: r.State,
        gatewayNetwork: networkName(r['External gateway info']?.network_id),
        interfaces: (routerPorts[i] ?? [])
          .flatMap((p) => p['Fixed IP Addresses'])
          .map((f) => `${subnetCidr(f.subnet_id)} ${f.ip_address}`)
          .sort(),
        routes: routes(r.Routes),
        tags: ownTags(r.Tags),
      })),
    ),
    ports: byName(
      lists.ports
        .filter((p) => ours(p.Name))
        .map((p) => ({
          name: p.Name,
          fixedIps: fixedIps(p['Fixed IP Addresses']),
          mac: p['MAC Address'],
          deviceOwner: p['Device Owner'],
          status: p.Status,
          tags: ownTags(p.Tags),
        })),
    ),
    securityGroups: byName(
      lists.securityGroups
        .filter((g) => ours(g.Name))
        .map((g) => ({
          name: g.Name,
          description: g.Description,
          tags: ownTags(g.Tags),
          rules: lists.rules
            .filter((r) => r['Security Group'] === g.ID)
            .map((r) => ruleText(r, groupName))
            .sort(),
        })),
    ),
    volumes: byName(
      lists.volumes
        .filter((v) => ours(v.Name))
        .map((v) => ({
          name: v.Name,
          status: v.Status,
          size: v.Size,
          type: v.Type,
          bootable: v.Bootable,
          attachedTo: v['Attached to'].map((a) => serverName(a.server_id)).sort(),
          properties: withoutProvenance(v.Properties),
        })),
    ),
    keypairs: byName(
      lists.keypairs
        .filter((k) => ours(k.Name))
        .map((k) => ({ name: k.Name, fingerprint: k.Fingerprint, type: k.Type })),
    ),
    serverGroups: byName(
      lists.serverGroups
        .filter((g) => ours(g.Name))
        .map((g) => ({ name: g.Name, policy: g.Policy, members: g.Members.map(serverName).sort() })),
    ),
    floatingIps: fips
      .map((f) => ({
        port: portName(f.Port),
        fixedIp: f['Fixed IP Address'],
        network: networkName(f['Floating Network']),
        tags: ownTags(f.Tags),
      }))
      .sort((a, b) => String(a.port).localeCompare(String(b.port))),
  };
  return { view, lists, fipAddresses: [...fipAddresses] };
}
