import { describe, expect, it } from 'vitest';
import {
  destination,
  egress,
  errors,
  findingsWith,
  GraphBuilder,
  ingressTcp,
  nodeOf,
  planFor,
} from './builders.js';

const twoExternals = () =>
  destination({
    foreignNetworks: [
      { id: 'net-a', name: 'ext-a', external: true, shared: false },
      { id: 'net-b', name: 'ext-b', external: true, shared: false },
      { id: 'net-shared', name: 'shared-lan', external: false, shared: true },
    ],
  });

describe('external and shared networks', () => {
  it('maps an external network to the destination network with the same name', () => {
    const b = new GraphBuilder();
    const net = b.externalNetwork('src-public', 'public');
    const plan = planFor(b);
    expect(nodeOf(plan, net)).toMatchObject({
      action: 'map',
      target: { id: 'net-public', name: 'public' },
      reason: 'same name',
    });
    expect(plan.findings).toEqual([]);
  });

  it('maps an external network to the only external network when no name matches', () => {
    const b = new GraphBuilder();
    const net = b.externalNetwork('src-ext', 'provider-net');
    const plan = planFor(b);
    expect(nodeOf(plan, net).target?.id).toBe('net-public');
    expect(findingsWith(plan, 'NETWORK_ONLY_EXTERNAL')).toEqual([
      expect.objectContaining({ severity: 'info', key: net }),
    ]);
  });

  it('refuses an external network when several candidates remain, listing them', () => {
    const b = new GraphBuilder();
    const net = b.externalNetwork('src-ext', 'provider-net');
    const plan = planFor(b, twoExternals());
    const [finding] = errors(plan);
    expect(finding).toMatchObject({ code: 'NETWORK_UNRESOLVED', key: net });
    expect(finding?.message).toContain('candidates: ext-a (external), ext-b (external)');
    expect(finding?.message).toContain('map.yaml (networks:)');
  });

  it('follows map.yaml for networks, by name or id', () => {
    const b = new GraphBuilder();
    const n1 = b.externalNetwork('src-ext', 'provider-net');
    const n2 = b.add('network.network', 'src-lan', {
      name: 'lan',
      disposition: 'existing',
      identity: { name: 'lan', 'router:external': false, shared: true },
    });
    const plan = planFor(b, twoExternals(), {
      networks: { 'provider-net': 'ext-b', 'src-lan': 'net-shared' },
    });
    expect(nodeOf(plan, n1).target?.id).toBe('net-b');
    expect(nodeOf(plan, n2).target?.id).toBe('net-shared');
    expect(plan.ok).toBe(true);
  });

  it('refuses a network mapping that names a network the destination lacks', () => {
    const b = new GraphBuilder();
    b.externalNetwork('src-ext', 'public');
    const plan = planFor(b, destination(), { networks: { public: 'internet' } });
    expect(errors(plan).map((f) => f.code)).toEqual(['NETWORK_MAPPING_UNKNOWN']);
    expect(errors(plan)[0]?.message).toContain('candidates: public (external)');
  });

  it("maps a subnet of a foreign network to that network's target, creating nothing", () => {
    const b = new GraphBuilder();
    const net = b.externalNetwork('src-public', 'public');
    const subnet = b.add('network.subnet', 'src-public-v4', {
      name: 'public-v4',
      disposition: 'existing',
      identity: { name: 'public-v4', cidr: '203.0.113.0/24', network: 'public' },
      doc: { name: 'public-v4', network_id: 'src-public', cidr: '203.0.113.0/24' },
      dependsOn: [net],
    });
    const plan = planFor(b);
    expect(nodeOf(plan, subnet)).toMatchObject({
      action: 'map',
      target: { id: 'net-public', name: 'public' },
      uploadBytes: 0,
    });
    expect(plan.totals.create).toBe(0);
  });
});

describe('the default security group', () => {
  it("merges the source default security group and its rules into the destination's default", () => {
    const b = new GraphBuilder();
    const rules = b.securityGroup('sg-src-default', 'default', [
      egress('IPv4'),
      egress('IPv6'),
      ingressTcp(22),
    ]);
    const plan = planFor(b);
    for (const key of ['network.security-group:sg-src-default', rules]) {
      expect(nodeOf(plan, key)).toMatchObject({
        action: 'merge',
        target: { id: 'sg-default-dst', name: 'default' },
      });
    }
    expect(plan.totals).toMatchObject({ merge: 2, create: 0 });
    expect(plan.ok).toBe(true);
  });

  it('creates other security groups, even when they reference the default one', () => {
    const b = new GraphBuilder();
    b.securityGroup('sg-src-default', 'default', []);
    const web = b.securityGroup('sg-web', 'web', [ingressTcp(80)]);
    const plan = planFor(b);
    expect(nodeOf(plan, 'network.security-group:sg-web').action).toBe('create');
    expect(nodeOf(plan, web).action).toBe('create');
  });

  it('refuses the merge when the destination project has no default group visible', () => {
    const b = new GraphBuilder();
    b.securityGroup('sg-src-default', 'default', []);
    const plan = planFor(b, destination({ defaultSecurityGroupId: undefined }));
    expect(errors(plan)).toEqual([
      expect.objectContaining({
        code: 'SECURITY_GROUP_NO_DEFAULT',
        key: 'network.security-group:sg-src-default',
      }),
    ]);
  });
});
