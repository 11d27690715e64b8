import { describe, expect, it } from 'vitest';
import { factsDigest, planImport } from '../../../src/plan/plan.js';
import { renderPlanTable } from '../../../src/plan/render-table.js';
import { PLAN_VERSION } from '../../../src/plan/types.js';
import {
  BUNDLE_ID,
  data,
  destination,
  egress,
  GraphBuilder,
  ingressTcp,
  NOW,
  planFor,
  quota,
} from './builders.js';

function workload(): GraphBuilder {
  const b = new GraphBuilder();
  b.flavor('m1.small', { vcpus: 1, ram: 2048, disk: 20 });
  b.externalNetwork('src-public', 'public');
  b.add('network.network', 'n1', { name: 'lan' });
  b.add('network.subnet', 'sn1', { name: 'lan-v4', doc: { network_id: 'n1', enable_dhcp: false } });
  b.securityGroup('sg-default', 'default', [egress('IPv4')]);
  b.securityGroup('sg-web', 'web', [ingressTcp(80)]);
  b.add('image.image', 'i1', { name: 'web-disk', dataInfo: data(3 * 1024 * 1024) });
  b.volume('v1', { size: 2, name: 'web-data' }, 1024 * 1024);
  b.server('s1', { flavor: 'm1.small', name: 'web', availability_zone: 'nova' });
  b.add('network.floating-ip', 'f1', { name: '198.51.100.7' });
  return b;
}

describe('planImport', () => {
  it('describes the destination, the bundle and the totals', () => {
    const plan = planFor(workload());
    expect(plan).toMatchObject({
      planVersion: PLAN_VERSION,
      bundleId: BUNDLE_ID,
      graphDigest: `sha256:${'1'.repeat(64)}`,
      destination: {
        cloud: 'dst',
        authUrl: 'http://dst.example:5000/v3',
        region: 'RegionOne',
        project: { id: 'dst-project', name: 'dst' },
      },
      createdAt: NOW.toISOString(),
      ok: true,
      totals: { create: 8, map: 2, reuse: 0, merge: 2, uploadBytes: 4 * 1024 * 1024 },
    });
    expect(plan.factsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('gives the same plan for the same inputs, whatever order the graph lists its nodes in', () => {
    const b = workload();
    const first = JSON.stringify(planFor(b));
    b.nodes.reverse();
    expect(JSON.stringify(planFor(b))).toBe(first);
    const keys = planFor(b).nodes.map((n) => n.key);
    expect(keys).toEqual([...keys].sort());
  });

  it('accepts documents as the stored blobs {kind, sourceId, name, document}', () => {
    const b = workload();
    const plain = planFor(b);
    const wrapped = new Map(
      [...b.documents].map(([key, document]) => [
        key,
        { kind: key.split(':')[0], sourceId: key.slice(key.indexOf(':') + 1), name: null, document },
      ]),
    );
    const plan = planImport({
      graph: b.graph(),
      graphDigest: plain.graphDigest,
      bundleId: BUNDLE_ID,
      documents: wrapped,
      facts: destination(),
      mapping: {},
      now: NOW,
    });
    expect(plan).toEqual(plain);
  });

  it('sorts findings by node key, then code', () => {
    const b = new GraphBuilder();
    b.flavor('zz.none', { vcpus: 64, ram: 1, disk: 1 });
    b.flavor('aa.none', { vcpus: 64, ram: 1, disk: 1 });
    b.add('network.floating-ip', 'f1', {});
    const facts = destination();
    facts.quotas = [quota('network', 'floatingip', 0)];
    const plan = planFor(b, facts);
    expect(plan.findings.map((f) => `${f.key ?? ''}|${f.code}`)).toEqual([
      '|QUOTA_SHORT',
      'compute.flavor:aa.none|FLAVOR_NO_FIT',
      'compute.flavor:zz.none|FLAVOR_NO_FIT',
    ]);
  });
});

describe('factsDigest', () => {
  it('is the same for the same facts listed in another order', () => {
    const facts = destination();
    const shuffled = destination({
      flavors: [...facts.flavors].reverse(),
      quotas: [...facts.quotas].reverse(),
      networkExtensions: [...facts.networkExtensions].reverse(),
    });
    expect(factsDigest(shuffled)).toBe(factsDigest(facts));
  });

  it("changes when quota use changes, and ignores the cloud's local name", () => {
    const facts = destination();
    const used = destination({
      quotas: facts.quotas.map((q) => (q.resource === 'floatingip' ? { ...q, inUse: 1 } : q)),
    });
    expect(factsDigest(used)).not.toBe(factsDigest(facts));
    expect(factsDigest(destination({ cloud: 'other-name' }))).toBe(factsDigest(facts));
  });
});

describe('renderPlanTable', () => {
  it('shows each action by kind with names, targets, bytes to upload, findings and a summary', () => {
    const b = workload();
    b.flavor('src.odd', { vcpus: 1, ram: 3000, disk: 10 });
    const text = renderPlanTable(planFor(b));
    expect(text).toContain(
      'Plan for bundle 0b9d7a3e-0000-4000-8000-000000000001 into cloud dst, project dst (dst-project), region RegionOne',
    );
    expect(text).toMatch(/Create: 8\n {2}KIND +NAME +UPLOAD +DETAILS/);
    expect(text).toMatch(/image\.image +web-disk +3\.0 MiB/);
    expect(text).toMatch(/compute\.server +web +- +availability_zone=nova; flavor=f-small/);
    expect(text).toMatch(/Map to existing destination objects: 3\n/);
    expect(text).toMatch(/compute\.flavor +m1\.small +m1\.small \(f-small\) +same name/);
    expect(text).toMatch(/network\.network +public +public \(net-public\)/);
    expect(text).toMatch(/Merge into the destination's own objects: 2/);
    expect(text).toMatch(
      /INFO +FLAVOR_BY_SIZE +compute\.flavor:src\.odd +flavor src\.odd is not at the destination/,
    );
    expect(text).toContain(
      '8 to create, 0 to reuse, 3 mapped, 2 to merge; 4.0 MiB to upload. Ready to import.',
    );
  });

  it('says the plan is refused and counts the errors', () => {
    const b = new GraphBuilder();
    b.flavor('src.huge', { vcpus: 99, ram: 1, disk: 1 });
    const text = renderPlanTable(planFor(b));
    expect(text).toMatch(/ERROR +FLAVOR_NO_FIT/);
    expect(text).toContain('(unresolved)');
    expect(text).toContain('Refused: 1 error (nothing will be created until they are fixed).');
  });
});
