/** Variants of the shop fixture that exercise what the plain one does not. */
import { buildRenderModel, type RenderModel } from '../../../src/render/model.js';
import { loadRenderFixture } from './support.js';

export type Fixture = ReturnType<typeof loadRenderFixture>;

export function modelOf(f: Fixture, mapping = {}): RenderModel {
  return buildRenderModel({
    graph: f.graph,
    bundleId: f.bundleId,
    documents: new Map(Object.entries(f.documents)),
    manifests: new Map(Object.entries(f.manifests)),
    mapping,
  });
}

const keyOf = (f: Fixture, kind: string, name: string) => {
  const node = f.graph.nodes.find((n) => n.kind === kind && n.name === name);
  if (!node) throw new Error(`no ${kind} ${name} in the fixture`);
  return node.key;
};

/**
 * The shop fixture with everything the plain one lacks: the default group merged into, a
 * floating IP on a port no server uses, a stateless group, two pools, a subnet without gateway,
 * an x509 key, a stopped server, two ports of one name, an unnamed network, a description that
 * looks like a template, address pairs, DHCP options, a direct vNIC, port security off, a rule
 * for any protocol beside a narrower one, and a rule from an address group.
 */
export function everythingFixture(): Fixture {
  const f = loadRenderFixture();
  const doc = (kind: string, name: string) => f.documents[keyOf(f, kind, name)] as Record<string, unknown>;
  const rename = (kind: string, name: string, to: string | undefined) => {
    const node = f.graph.nodes.find((n) => n.kind === kind && n.name === name);
    if (!node) throw new Error(`no ${kind} ${name}`);
    node.name = to;
    (f.documents[node.key] as Record<string, unknown>)['name'] = to ?? '';
  };
  Object.assign(doc('network.security-group', 'rfx-db'), { is_default: true });
  doc('network.security-group-rules', 'rfx-web')['rules'] = [
    ...(doc('network.security-group-rules', 'rfx-web')['rules'] as unknown[]),
    {
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: null,
      port_range_min: null,
      port_range_max: null,
      remote_ip_prefix: null,
      remote_group_id: (doc('network.security-group-rules', 'rfx-db')['security_group_id'] as string) ?? null,
      remote_address_group_id: null,
      description: null,
    },
    {
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: 'udp',
      port_range_min: 53,
      port_range_max: 53,
      remote_ip_prefix: null,
      remote_group_id: null,
      remote_address_group_id: 'a-group',
      description: null,
    },
  ];
  rename('network.security-group', 'rfx-db', 'default');
  rename('network.security-group-rules', 'rfx-db', 'default');
  Object.assign(doc('network.security-group', 'rfx-web'), { stateful: false });
  Object.assign(doc('network.subnet', 'rfx-front-subnet'), {
    allocation_pools: [
      { start: '10.61.1.100', end: '10.61.1.149' },
      { start: '10.61.1.150', end: '10.61.1.199' },
    ],
  });
  Object.assign(doc('network.subnet', 'rfx-back-subnet'), { gateway_ip: null });
  Object.assign(doc('compute.keypair', 'rfx-key'), { type: 'x509' });
  Object.assign(doc('compute.server', 'rfx-db'), {
    status: 'SHUTOFF',
    config_drive: true,
    description: 'db',
  });
  const web = doc('compute.server', 'rfx-web');
  const front = keyOf(f, 'network.port', 'rfx-web-front').split(':')[1];
  web['ports'] = (web['ports'] as string[]).filter((p) => p !== front);
  Object.assign(doc('network.port', 'rfx-db-port'), {
    allowed_address_pairs: [
      { ip_address: '10.61.2.99', mac_address: 'fa:16:3e:00:00:01' },
      { ip_address: '10.61.2.98' },
    ],
    extra_dhcp_opts: [{ opt_name: 'bootfile-name', opt_value: 'pxelinux.0', ip_version: 4 }],
    'binding:vnic_type': 'direct',
    description: 'the database',
  });
  Object.assign(doc('network.port', 'rfx-web-back'), { port_security_enabled: false });
  rename('network.port', 'rfx-web-back', 'rfx-db-port');
  rename('network.network', 'rfx-front', undefined);
  Object.assign(doc('network.network', 'rfx-back'), { description: 'back {{ lookup("pipe", "id") }}' });
  return f;
}
