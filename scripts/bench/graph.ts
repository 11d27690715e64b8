/**
 * The server graph of the orchestration and request benchmarks, described once as data and then
 * built three ways: here in `src` with Downpour's own wire client (what gets exported), and in
 * `dst` by the shell script and the playbook of competitors.ts (what Downpour's import is
 * compared with).
 *
 *   keypair; security groups web (443, 22 from anywhere) and db (5432 from web)
 *   networks front 10.62.1.0/24 and back 10.62.2.0/24, both behind one router on "public"
 *   server i: boots dp-base (m1.tiny) on its own port, odd on front (web), even on back (db),
 *             with a fixed IP and a floating IP on that port
 */
import * as flavors from '../../src/openstack/compute/flavors/index.js';
import * as keypairs from '../../src/openstack/compute/keypairs/index.js';
import * as servers from '../../src/openstack/compute/servers/index.js';
import * as images from '../../src/openstack/image/images/index.js';
import * as floatingIps from '../../src/openstack/network/floating-ips/index.js';
import * as networks from '../../src/openstack/network/networks/index.js';
import * as ports from '../../src/openstack/network/ports/index.js';
import * as routers from '../../src/openstack/network/routers/index.js';
import * as rules from '../../src/openstack/network/security-group-rules/index.js';
import * as securityGroups from '../../src/openstack/network/security-groups/index.js';
import * as subnets from '../../src/openstack/network/subnets/index.js';
import type { Session } from '../../src/openstack/session/session.js';
import { SAMPLE_PUBLIC_KEY } from '../../test/support/workload.js';

export const FLAVOR = 'm1.tiny';
export const BASE_IMAGE = 'dp-base';
export const EXTERNAL_NETWORK = 'public';

interface RuleSpec {
  protocol: 'tcp';
  port: number;
  remoteIpPrefix?: string;
  /** Another group of the graph, by name. */
  remoteGroup?: string;
}

export interface GraphSpec {
  prefix: string;
  keypair: { name: string; publicKey: string };
  securityGroups: { name: string; description: string; rules: RuleSpec[] }[];
  networks: {
    name: string;
    subnet: { name: string; cidr: string; gateway: string; poolStart: string; poolEnd: string };
  }[];
  router: { name: string; subnets: string[] };
  servers: {
    name: string;
    port: { name: string; network: string; subnet: string; ip: string; securityGroup: string };
  }[];
}

export function graphSpec(prefix: string, count: number): GraphSpec {
  const n = (what: string) => `${prefix}-${what}`;
  const nets = [1, 2].map((third, i) => ({
    name: n(i === 0 ? 'front' : 'back'),
    subnet: {
      name: n(i === 0 ? 'front-subnet' : 'back-subnet'),
      cidr: `10.62.${third}.0/24`,
      gateway: `10.62.${third}.1`,
      poolStart: `10.62.${third}.100`,
      poolEnd: `10.62.${third}.199`,
    },
  }));
  const [front, back] = nets as [(typeof nets)[0], (typeof nets)[0]];
  return {
    prefix,
    keypair: { name: n('key'), publicKey: SAMPLE_PUBLIC_KEY },
    securityGroups: [
      {
        name: n('web'),
        description: 'web tier',
        rules: [
          { protocol: 'tcp', port: 443, remoteIpPrefix: '0.0.0.0/0' },
          { protocol: 'tcp', port: 22, remoteIpPrefix: '0.0.0.0/0' },
        ],
      },
      {
        name: n('db'),
        description: 'database tier',
        rules: [{ protocol: 'tcp', port: 5432, remoteGroup: n('web') }],
      },
    ],
    networks: nets,
    router: { name: n('router'), subnets: nets.map((x) => x.subnet.name) },
    servers: Array.from({ length: count }, (_, i) => {
      const num = String(i + 1).padStart(2, '0');
      const net = i % 2 === 0 ? front : back;
      const third = i % 2 === 0 ? 1 : 2;
      return {
        name: n(`vm-${num}`),
        port: {
          name: n(`port-${num}`),
          network: net.name,
          subnet: net.subnet.name,
          ip: `10.62.${third}.${10 + i}`,
          securityGroup: i % 2 === 0 ? n('web') : n('db'),
        },
      };
    }),
  };
}

/** The first `count` servers of a graph: the request benchmark's smaller workloads. */
export function serverNames(spec: GraphSpec, count: number): string[] {
  return spec.servers.slice(0, count).map((s) => s.name);
}

/** What the witness expects in a project that holds the whole graph. */
export function expectedCounts(spec: GraphSpec): Record<string, number> {
  return {
    'servers ACTIVE': spec.servers.length,
    ports: spec.servers.length,
    'floating IPs on the ports': spec.servers.length,
    networks: spec.networks.length,
    subnets: spec.networks.length,
    routers: 1,
    'security groups': spec.securityGroups.length,
    'tcp rules in them': spec.securityGroups.reduce((sum, g) => sum + g.rules.length, 0),
    keypairs: 1,
  };
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

async function first<T>(items: AsyncIterable<T>, what: string): Promise<T> {
  for await (const item of items) return item;
  throw new Error(`the bench needs ${what}, which the cloud does not have`);
}

/** Build the graph with the wire client (not timed: this is the workload being exported). */
export async function buildGraph(
  session: Session,
  spec: GraphSpec,
  log: (line: string) => void,
): Promise<void> {
  const wait = { timeoutMs: 600_000, intervalMs: 1_000, maxIntervalMs: 3_000 };
  const pub = await first(
    networks.list(session, { name: EXTERNAL_NETWORK, 'router:external': true }),
    'network "public"',
  );
  const base = await first(images.list(session, { name: BASE_IMAGE }), `image ${BASE_IMAGE}`);
  let flavorId: string | undefined;
  for await (const f of flavors.list(session)) if (f.name === FLAVOR) flavorId = f.id;
  if (!flavorId) throw new Error(`the bench needs flavor ${FLAVOR}`);

  await keypairs.create(session, {
    name: spec.keypair.name,
    public_key: spec.keypair.publicKey,
    type: 'ssh',
  });
  const groupIds = new Map<string, string>();
  for (const g of spec.securityGroups)
    groupIds.set(
      g.name,
      (await securityGroups.create(session, { name: g.name, description: g.description })).id,
    );
  for (const g of spec.securityGroups)
    for (const r of g.rules)
      await rules.create(session, {
        security_group_id: groupIds.get(g.name) as string,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: r.protocol,
        port_range_min: r.port,
        port_range_max: r.port,
        ...(r.remoteIpPrefix ? { remote_ip_prefix: r.remoteIpPrefix } : {}),
        ...(r.remoteGroup ? { remote_group_id: groupIds.get(r.remoteGroup) as string } : {}),
      });
  const netIds = new Map<string, string>();
  const subnetIds = new Map<string, string>();
  for (const net of spec.networks) {
    const id = (await networks.create(session, { name: net.name })).id;
    netIds.set(net.name, id);
    const s = net.subnet;
    subnetIds.set(
      s.name,
      (
        await subnets.create(session, {
          network_id: id,
          name: s.name,
          ip_version: 4,
          cidr: s.cidr,
          gateway_ip: s.gateway,
          allocation_pools: [{ start: s.poolStart, end: s.poolEnd }],
        })
      ).id,
    );
  }
  const router = await routers.create(session, {
    name: spec.router.name,
    external_gateway_info: { network_id: pub.id },
  });
  for (const s of spec.router.subnets)
    await routers.addInterface(session, router.id, { subnet_id: subnetIds.get(s) as string });

  const serverIds: string[] = [];
  await inBatches(spec.servers, 5, async (vm) => {
    const port = await ports.create(session, {
      network_id: netIds.get(vm.port.network) as string,
      name: vm.port.name,
      fixed_ips: [{ subnet_id: subnetIds.get(vm.port.subnet) as string, ip_address: vm.port.ip }],
      security_groups: [groupIds.get(vm.port.securityGroup) as string],
    });
    const server = await servers.create(session, {
      name: vm.name,
      flavorRef: flavorId,
      imageRef: base.id,
      networks: [{ port: port.id }],
      key_name: spec.keypair.name,
    });
    serverIds.push(server.id);
    await floatingIps.create(session, {
      floating_network_id: pub.id,
      port_id: port.id,
      description: spec.prefix,
    });
  });
  await inBatches(serverIds, 10, async (id) => {
    await servers.waitForServerStatus(session, id, 'ACTIVE', wait);
  });
  log(`graph of ${spec.servers.length} servers built in project ${session.project.name}`);
}
