import { describe, expect, it } from 'vitest';
import type { DestinationFacts } from '../../../src/plan/types.js';
import {
  data,
  destination,
  egress,
  errors,
  findingsWith,
  GraphBuilder,
  ingressTcp,
  planFor,
  quota,
} from './builders.js';

/** The destination with one quota replaced (or added). */
function withQuota(
  service: DestinationFacts['quotas'][number]['service'],
  resource: string,
  limit: number,
  inUse = 0,
): DestinationFacts {
  const facts = destination();
  facts.quotas = [
    ...facts.quotas.filter((q) => !(q.service === service && q.resource === resource)),
    quota(service, resource, limit, inUse),
  ];
  return facts;
}

const floatingIps = (b: GraphBuilder, n: number) => {
  for (let i = 0; i < n; i++)
    b.add('network.floating-ip', `fip-${i}`, {
      name: `198.51.100.${i}`,
      doc: { floating_network_id: 'src-public' },
    });
};

describe('quotas', () => {
  it('refuses when floating IP quota is short, naming needed and available', () => {
    const b = new GraphBuilder();
    floatingIps(b, 3);
    const plan = planFor(b, withQuota('network', 'floatingip', 2, 1));
    expect(plan.ok).toBe(false);
    expect(errors(plan)).toEqual([
      { severity: 'error', code: 'QUOTA_SHORT', message: 'network quota: needs 3 floating IPs, 1 left of 2' },
    ]);
  });

  it('treats a limit of -1 as unlimited', () => {
    const b = new GraphBuilder();
    floatingIps(b, 30);
    expect(planFor(b, withQuota('network', 'floatingip', -1, 500)).ok).toBe(true);
  });

  it('counts vCPUs and RAM of the destination flavors the servers are mapped to', () => {
    const b = new GraphBuilder();
    b.flavor('src.odd', { vcpus: 1, ram: 3000, disk: 10 }); // -> m1.medium: 2 vCPU, 4096 MiB
    b.server('s1', { flavor: 'src.odd' });
    b.server('s2', { flavor: 'src.odd' });
    const short = planFor(b, withQuota('compute', 'cores', 5, 2));
    expect(errors(short).map((f) => f.message)).toEqual(['compute quota: needs 4 vCPUs, 3 left of 5']);
    const ram = planFor(b, withQuota('compute', 'ram', 8192, 1));
    expect(errors(ram).map((f) => f.message)).toEqual([
      'compute quota: needs 8192 MiB of RAM, 8191 left of 8192',
    ]);
    const instances = planFor(b, withQuota('compute', 'instances', 10, 9));
    expect(errors(instances).map((f) => f.message)).toEqual(['compute quota: needs 2 servers, 1 left of 10']);
  });

  it('reports a quota it could not read as not checked, and does not refuse for it', () => {
    const b = new GraphBuilder();
    floatingIps(b, 3);
    const facts = destination();
    facts.quotas = facts.quotas.filter((q) => q.service !== 'network');
    const plan = planFor(b, facts);
    expect(plan.ok).toBe(true);
    expect(findingsWith(plan, 'QUOTA_UNKNOWN')).toEqual([
      {
        severity: 'info',
        code: 'QUOTA_UNKNOWN',
        message: 'network quota for floatingip could not be read (policy or API): not checked',
      },
    ]);
  });

  it('counts ports, one per router interface, and one DHCP port per network with DHCP', () => {
    const b = new GraphBuilder();
    b.add('network.network', 'n1', { name: 'lan' });
    b.add('network.subnet', 'sn1', { name: 'lan-v4', doc: { network_id: 'n1', enable_dhcp: true } });
    b.add('network.subnet', 'sn2', { name: 'lan-v6', doc: { network_id: 'n1', enable_dhcp: true } });
    b.add('network.router', 'r1', {
      name: 'gw',
      doc: {
        name: 'gw',
        interfaces: [
          { subnet_id: 'sn1', ip_address: '10.0.0.1' },
          { subnet_id: 'sn2', ip_address: 'fd00::1' },
          { subnet_id: 'not-moving', ip_address: '10.9.0.1' },
        ],
      },
    });
    b.add('network.port', 'p1', { name: 'web-0', doc: { network_id: 'n1' } });
    // 1 port + 2 router interfaces + 1 DHCP port = 4.
    const plan = planFor(b, withQuota('network', 'port', 10, 7));
    expect(errors(plan).map((f) => f.message)).toEqual(['network quota: needs 4 ports, 3 left of 10']);
    expect(planFor(b, withQuota('network', 'port', 10, 6)).ok).toBe(true);
  });

  it("counts rules of new groups once with Neutron's two egress rules, and merged rules the default group lacks", () => {
    const b = new GraphBuilder();
    // New group: its copies of the egress rules are not created again; Neutron adds 2; plus 2 ingress rules = 4.
    b.securityGroup('sg-web', 'web', [egress('IPv4'), egress('IPv6'), ingressTcp(80), ingressTcp(443)]);
    // Merged default: the seeded rules are already there; the SSH rule is new = 1.
    const fromSelf = {
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: null,
      port_range_min: null,
      port_range_max: null,
      remote_ip_prefix: null,
      remote_group_id: 'sg-src-default',
    };
    b.securityGroup('sg-src-default', 'default', [egress('IPv4'), egress('IPv6'), fromSelf, ingressTcp(22)]);
    const plan = planFor(b, withQuota('network', 'security_group_rule', 10, 6));
    expect(errors(plan).map((f) => f.message)).toEqual([
      'network quota: needs 5 security group rules, 4 left of 10',
    ]);
    const groups = planFor(b, withQuota('network', 'security_group', 1, 1));
    expect(errors(groups).map((f) => f.message)).toEqual([
      'network quota: needs 1 security groups, 0 left of 1',
    ]);
  });

  it('checks volumes and gigabytes in total and per destination type where the cloud sets them', () => {
    const b = new GraphBuilder();
    b.volumeType('ssd');
    b.volume('v1', { size: 30, volume_type: 'ssd' });
    b.volume('v2', { size: 20, volume_type: 'ssd' });
    const facts = withQuota('block-storage', 'gigabytes', 100, 60);
    facts.volumeTypes.push({ id: 'vt-ssd', name: 'ssd', is_default: false });
    facts.quotas.push(
      quota('block-storage', 'volumes_ssd', 1, 0),
      quota('block-storage', 'gigabytes_ssd', -1, 0),
    );
    const plan = planFor(b, facts);
    expect(
      errors(plan)
        .map((f) => f.message)
        .sort(),
    ).toEqual([
      'block-storage quota: needs 2 volumes of type ssd, 1 left of 1',
      'block-storage quota: needs 50 GiB of volumes, 40 left of 100',
    ]);
  });

  it('checks the members of each new server group against the per-group limit', () => {
    const b = new GraphBuilder();
    b.flavor('m1.tiny', { vcpus: 1, ram: 512, disk: 1 });
    const group = b.add('compute.server-group', 'g1', {
      name: 'spread',
      doc: { name: 'spread', policy: 'anti-affinity' },
    });
    for (const id of ['s1', 's2', 's3']) b.server(id, { flavor: 'm1.tiny', server_group: 'g1' });
    const plan = planFor(b, withQuota('compute', 'server_group_members', 2));
    expect(errors(plan)).toEqual([expect.objectContaining({ code: 'QUOTA_SHORT', key: group })]);
    expect(errors(plan)[0]?.message).toContain('needs 3 members, the limit per group is 2');
  });

  it('does not count what is reused, mapped or merged', () => {
    const b = new GraphBuilder();
    b.add('compute.keypair', 'deploy', { name: 'deploy', doc: { name: 'deploy', fingerprint: 'aa' } });
    b.securityGroup('sg-src-default', 'default', [egress('IPv4')]);
    const facts = withQuota('compute', 'key_pairs', 1, 1);
    facts.keypairs = [{ name: 'deploy', fingerprint: 'aa' }];
    facts.quotas.push(quota('network', 'security_group', 1, 1));
    expect(planFor(b, facts).ok).toBe(true);
  });
});

describe('formats, services and optional APIs', () => {
  it('refuses data in a disk format the destination does not accept', () => {
    const b = new GraphBuilder();
    const key = b.add('image.image', 'i1', {
      name: 'appliance',
      dataInfo: data(10, { disk_format: 'vhdx', container_format: 'ova' }),
    });
    const plan = planFor(b);
    expect(errors(plan).map((f) => [f.code, f.key])).toEqual([
      ['FORMAT_REFUSED', key],
      ['FORMAT_REFUSED', key],
    ]);
    expect(errors(plan).map((f) => f.message)).toEqual([
      `"appliance" has container format ova, which the destination's image service does not accept (it takes bare, ovf)`,
      `"appliance" is vhdx, a disk format the destination's image service does not accept (it takes qcow2, raw, vmdk)`,
    ]);
    // Unknown formats (the schema could not be read) are not checked.
    expect(planFor(b, destination({ diskFormats: [], containerFormats: [] })).ok).toBe(true);
  });

  it('refuses when a service the bundle needs is missing from the destination', () => {
    const b = new GraphBuilder();
    b.volume('v1', { size: 1 }, 1024);
    const plan = planFor(
      b,
      destination({ services: { compute: true, network: true, image: false, 'block-storage': false } }),
    );
    expect(errors(plan).map((f) => f.message)).toEqual([
      'the destination has no block-storage service in its catalog; needed for block-storage.volume',
      'the destination has no image service in its catalog; needed for block-storage.volume',
    ]);
  });

  it('warns that provenance falls back to metadata when compute is older than 2.52', () => {
    const b = new GraphBuilder();
    b.flavor('m1.tiny', { vcpus: 1, ram: 512, disk: 1 });
    b.server('s1', { flavor: 'm1.tiny' });
    const plan = planFor(b, destination({ computeMicroversion: '2.37' }));
    expect(findingsWith(plan, 'SERVER_TAGS_UNSUPPORTED')).toEqual([
      expect.objectContaining({ severity: 'warning' }),
    ]);
    expect(findingsWith(plan, 'SERVER_TAGS_UNSUPPORTED')[0]?.message).toContain('metadata');
    expect(plan.ok).toBe(true);
    expect(findingsWith(planFor(b), 'SERVER_TAGS_UNSUPPORTED')).toEqual([]);
  });

  it('warns about missing network extensions only where the bundle uses them', () => {
    const b = new GraphBuilder();
    const router = b.add('network.router', 'r1', {
      name: 'gw',
      doc: { name: 'gw', routes: [{ destination: '10.9.0.0/16', nexthop: '10.0.0.5' }], interfaces: [] },
    });
    b.add('network.router', 'r2', { name: 'plain', doc: { name: 'plain', routes: [], interfaces: [] } });
    const vip = b.add('network.port', 'p1', {
      name: 'vip',
      doc: { port_security_enabled: false, allowed_address_pairs: [{ ip_address: '10.0.0.9' }] },
    });
    b.add('network.port', 'p2', {
      name: 'plain',
      doc: { port_security_enabled: true, allowed_address_pairs: [] },
    });
    const plan = planFor(b, destination({ networkExtensions: ['router', 'security-group'] }));
    expect(plan.findings.map((f) => [f.code, f.key ?? ''])).toEqual([
      ['NETWORK_TAGS_UNSUPPORTED', ''],
      ['ADDRESS_PAIRS_UNSUPPORTED', vip],
      ['PORT_SECURITY_UNSUPPORTED', vip],
      ['ROUTES_DROPPED', router],
    ]);
    expect(plan.findings.every((f) => f.severity === 'warning')).toBe(true);
    expect(planFor(b).findings).toEqual([]);
  });

  it('warns about each created resource whose name the destination project already uses', () => {
    const b = new GraphBuilder();
    const net = b.add('network.network', 'n1', { name: 'lan' });
    b.add('network.network', 'n2', { name: 'other' });
    const vol = b.volume('v1', { size: 1, name: 'data' });
    b.securityGroup('sg-src-default', 'default', []);
    const plan = planFor(
      b,
      destination({
        existingNames: {
          'network.network': ['lan'],
          'block-storage.volume': ['data'],
          'network.security-group': ['default'],
        },
      }),
    );
    expect(findingsWith(plan, 'NAME_EXISTS').map((f) => f.key)).toEqual([vol, net]);
    expect(findingsWith(plan, 'NAME_EXISTS')[1]?.message).toContain('already has a network named "lan"');
    expect(plan.ok).toBe(true);
  });
});
