import { describe, expect, it } from 'vitest';
import { destination, errors, findingsWith, GraphBuilder, nodeOf, planFor } from './builders.js';

describe('flavors', () => {
  it('maps a flavor to the destination flavor with the same name', () => {
    const b = new GraphBuilder();
    const flavor = b.flavor('m1.small', { vcpus: 1, ram: 2048, disk: 20 });
    const server = b.server('s1', { flavor: 'm1.small' });
    const plan = planFor(b);
    expect(nodeOf(plan, flavor)).toMatchObject({
      action: 'map',
      target: { id: 'f-small', name: 'm1.small' },
      reason: 'same name',
    });
    expect(nodeOf(plan, server).overrides).toMatchObject({ flavor: 'f-small' });
    expect(plan.ok).toBe(true);
  });

  it('maps a flavor to the smallest that fits when no name matches', () => {
    const b = new GraphBuilder();
    const flavor = b.flavor('src.big-ram', { vcpus: 1, ram: 3000, disk: 10 });
    const server = b.server('s1', { flavor: 'src.big-ram' });
    const plan = planFor(b);
    // m1.small has 2048 MiB: too little; m1.medium is the first by (vcpus, ram, disk) that fits.
    expect(nodeOf(plan, flavor)).toMatchObject({ action: 'map', target: { id: 'f-medium' } });
    expect(nodeOf(plan, server).overrides).toMatchObject({ flavor: 'f-medium' });
    expect(findingsWith(plan, 'FLAVOR_BY_SIZE')).toEqual([
      expect.objectContaining({ severity: 'info', key: flavor }),
    ]);
    expect(plan.ok).toBe(true);
  });

  it('lets any flavor serve a source flavor with disk 0, but never a zero-disk flavor serve a sized disk', () => {
    const b = new GraphBuilder();
    const bfv = b.flavor('src.bfv', { vcpus: 1, ram: 256, disk: 0 });
    const sized = b.flavor('src.sized', { vcpus: 1, ram: 256, disk: 5 });
    const facts = destination();
    facts.flavors.unshift({
      id: 'f-zero',
      name: 'zero',
      vcpus: 1,
      ram: 256,
      disk: 0,
      ephemeral: 0,
      swap: 0,
      is_public: true,
    });
    const plan = planFor(b, facts);
    expect(nodeOf(plan, bfv).target?.id).toBe('f-zero');
    expect(nodeOf(plan, sized).target?.id).toBe('f-small');
  });

  it('refuses when no flavor fits, naming the closest candidates', () => {
    const b = new GraphBuilder();
    const flavor = b.flavor('src.huge', { vcpus: 16, ram: 65536, disk: 160 });
    const plan = planFor(b);
    expect(plan.ok).toBe(false);
    const [finding] = findingsWith(plan, 'FLAVOR_NO_FIT');
    expect(finding).toMatchObject({ severity: 'error', key: flavor });
    expect(finding?.message).toContain('16 vCPU, 65536 MiB RAM, 160 GiB disk');
    expect(finding?.message).toMatch(/closest: m1\.large \(4 vCPU, 8192 MiB RAM, 80 GiB disk\), m1\.medium/);
    expect(nodeOf(plan, flavor).target).toBeUndefined();
  });

  it('follows map.yaml by destination name or id, over a same-name flavor', () => {
    const b = new GraphBuilder();
    const small = b.flavor('m1.small', { vcpus: 1, ram: 2048, disk: 20 });
    const other = b.flavor('src.x', { vcpus: 1, ram: 512, disk: 1 });
    const plan = planFor(b, destination(), { flavors: { 'm1.small': 'm1.large', 'src.x': 'f-medium' } });
    expect(nodeOf(plan, small)).toMatchObject({
      target: { id: 'f-large' },
      reason: 'map.yaml: m1.small -> m1.large',
    });
    expect(nodeOf(plan, other).target?.id).toBe('f-medium');
  });

  it("refuses a mapping that names a flavor the destination lacks, listing the destination's flavors", () => {
    const b = new GraphBuilder();
    const flavor = b.flavor('m1.small', { vcpus: 1, ram: 2048, disk: 20 });
    const plan = planFor(b, destination(), { flavors: { 'm1.small': 'gp.2' } });
    const [finding] = findingsWith(plan, 'FLAVOR_MAPPING_UNKNOWN');
    expect(finding).toMatchObject({ severity: 'error', key: flavor });
    expect(finding?.message).toContain('"gp.2"');
    expect(finding?.message).toContain('m1.tiny, m1.small, m1.medium, m1.large');
  });

  it('warns when the same-name flavor at the destination is smaller than the source one', () => {
    const b = new GraphBuilder();
    b.flavor('m1.small', { vcpus: 2, ram: 2048, disk: 20 });
    const plan = planFor(b);
    expect(findingsWith(plan, 'FLAVOR_SMALLER')).toHaveLength(1);
    expect(plan.ok).toBe(true);
  });
});

describe('keypairs', () => {
  const keypair = (b: GraphBuilder, name: string, fingerprint: string) =>
    b.add('compute.keypair', name, {
      name,
      doc: { name, fingerprint, public_key: 'ssh-ed25519 AAAA', type: 'ssh' },
    });

  it('reuses a destination keypair with the same name and fingerprint', () => {
    const b = new GraphBuilder();
    const key = keypair(b, 'deploy', 'aa:bb');
    const plan = planFor(b, destination({ keypairs: [{ name: 'deploy', fingerprint: 'aa:bb' }] }));
    expect(nodeOf(plan, key)).toMatchObject({ action: 'reuse', target: { id: 'deploy', name: 'deploy' } });
    expect(plan.totals.reuse).toBe(1);
  });

  it('refuses a keypair whose name already holds a different key at the destination', () => {
    const b = new GraphBuilder();
    const key = keypair(b, 'deploy', 'aa:bb');
    const plan = planFor(b, destination({ keypairs: [{ name: 'deploy', fingerprint: 'cc:dd' }] }));
    const [finding] = findingsWith(plan, 'KEYPAIR_NAME_TAKEN');
    expect(finding).toMatchObject({ severity: 'error', key });
    expect(finding?.message).toContain('keypairs: {deploy: NEW-NAME}');
  });

  it('creates a keypair under the name map.yaml gives, and the server boots with that name', () => {
    const b = new GraphBuilder();
    b.flavor('m1.tiny', { vcpus: 1, ram: 512, disk: 1 });
    const key = keypair(b, 'deploy', 'aa:bb');
    const server = b.server('s1', { flavor: 'm1.tiny', key_name: 'deploy' });
    const plan = planFor(b, destination({ keypairs: [{ name: 'deploy', fingerprint: 'cc:dd' }] }), {
      keypairs: { deploy: 'deploy-src' },
    });
    expect(nodeOf(plan, key)).toMatchObject({ action: 'create', overrides: { name: 'deploy-src' } });
    expect(nodeOf(plan, server).overrides).toMatchObject({ key_name: 'deploy-src' });
    expect(plan.ok).toBe(true);
  });

  it('refuses a rename to a name that holds yet another key', () => {
    const b = new GraphBuilder();
    keypair(b, 'deploy', 'aa:bb');
    const facts = destination({
      keypairs: [
        { name: 'deploy', fingerprint: 'cc:dd' },
        { name: 'deploy-src', fingerprint: 'ee:ff' },
      ],
    });
    const plan = planFor(b, facts, { keypairs: { deploy: 'deploy-src' } });
    expect(findingsWith(plan, 'KEYPAIR_NAME_TAKEN')[0]?.message).toContain(
      'renamed to "deploy-src" by map.yaml',
    );
  });
});

describe('availability zones', () => {
  it('keeps a zone the destination has', () => {
    const b = new GraphBuilder();
    b.flavor('m1.tiny', { vcpus: 1, ram: 512, disk: 1 });
    const server = b.server('s1', { flavor: 'm1.tiny', availability_zone: 'nova' });
    expect(nodeOf(planFor(b), server).overrides).toMatchObject({ availability_zone: 'nova' });
  });

  it('omits a zone the destination lacks and says the cloud chooses, once per zone', () => {
    const b = new GraphBuilder();
    b.flavor('m1.tiny', { vcpus: 1, ram: 512, disk: 1 });
    const s1 = b.server('s1', { flavor: 'm1.tiny', availability_zone: 'rack-2' });
    b.server('s2', { flavor: 'm1.tiny', availability_zone: 'rack-2' });
    const plan = planFor(b);
    expect(nodeOf(plan, s1).overrides).toMatchObject({ availability_zone: null });
    const found = findingsWith(plan, 'AZ_OMITTED');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'info' });
    expect(found[0]?.message).toContain('2 servers are created where the cloud chooses');
    expect(plan.ok).toBe(true);
  });

  it('follows map.yaml for zones, where "" lets the cloud choose', () => {
    const b = new GraphBuilder();
    b.flavor('m1.tiny', { vcpus: 1, ram: 512, disk: 1 });
    const s1 = b.server('s1', { flavor: 'm1.tiny', availability_zone: 'az-a' });
    const s2 = b.server('s2', { flavor: 'm1.tiny', availability_zone: 'nova' });
    const plan = planFor(b, destination({ computeZones: ['nova', 'zone-1'] }), {
      availabilityZones: { 'az-a': 'zone-1', nova: '' },
    });
    expect(nodeOf(plan, s1).overrides).toMatchObject({ availability_zone: 'zone-1' });
    expect(nodeOf(plan, s2).overrides).toMatchObject({ availability_zone: null });
    expect(plan.findings).toEqual([]);
  });

  it('refuses a zone mapping to a zone the destination lacks', () => {
    const b = new GraphBuilder();
    const volume = b.volume('v1', { size: 1, availability_zone: 'az-a' });
    const plan = planFor(b, destination(), { availabilityZones: { 'az-a': 'zone-9' } });
    expect(errors(plan)).toEqual([expect.objectContaining({ code: 'AZ_MAPPING_UNKNOWN', key: volume })]);
    expect(errors(plan)[0]?.message).toContain('block-storage zones there: nova');
  });
});
