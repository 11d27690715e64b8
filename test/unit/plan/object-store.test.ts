import { describe, expect, it } from 'vitest';
import type { ObjectStoreFacts } from '../../../src/plan/types.js';
import { BUNDLE_ID, destination, errors, findingsWith, GraphBuilder, nodeOf, planFor } from './builders.js';

const store = (overrides: Partial<ObjectStoreFacts> = {}): ObjectStoreFacts => ({
  policies: [
    { name: 'standard', default: true },
    { name: 'cold', default: false },
  ],
  containers: [],
  bytesUsed: 0,
  ...overrides,
});

const container = (b: GraphBuilder, name: string, doc: Record<string, unknown> = {}) =>
  b.add('object-store.container', name, {
    name,
    doc: { name, metadata: {}, object_count: 2, bytes: 1000, ...doc },
  });

describe('Swift containers', () => {
  it('creates a container, uploading its bytes, with a storage policy the destination has', () => {
    const b = new GraphBuilder();
    const key = container(b, 'assets', { storage_policy: 'cold' });
    const plan = planFor(b, destination({ objectStore: store() }));
    expect(errors(plan)).toEqual([]);
    expect(nodeOf(plan, key)).toMatchObject({ action: 'create', uploadBytes: 1000 });
    expect(nodeOf(plan, key).overrides).toBeUndefined();
  });

  it('gives a policy the destination lacks the default one, and says so; map.yaml picks another', () => {
    const b = new GraphBuilder();
    const key = container(b, 'assets', { storage_policy: 'gold' });
    const plan = planFor(b, destination({ objectStore: store() }));
    expect(nodeOf(plan, key).overrides).toEqual({ storage_policy: null });
    expect(findingsWith(plan, 'POLICY_MAPPED')[0]?.message).toMatch(/default policy standard/);
    const mapped = planFor(b, destination({ objectStore: store() }), { storagePolicies: { gold: 'cold' } });
    expect(nodeOf(mapped, key).overrides).toEqual({ storage_policy: 'cold' });
    const wrong = planFor(b, destination({ objectStore: store() }), { storagePolicies: { gold: 'warm' } });
    expect(findingsWith(wrong, 'POLICY_MISSING')).toHaveLength(1);
  });

  it("refuses a container of the same name it did not make; merges into it when map.yaml asks; a rerun's own is fine", () => {
    const b = new GraphBuilder();
    const key = container(b, 'assets');
    const theirs = destination({ objectStore: store({ containers: [{ name: 'assets' }] }) });
    expect(findingsWith(planFor(b, theirs), 'CONTAINER_EXISTS')[0]?.message).toMatch(
      /containers: \{ assets: merge \}/,
    );
    const merged = planFor(b, theirs, { containers: { assets: 'merge' } });
    expect(errors(merged)).toEqual([]);
    expect(nodeOf(merged, key)).toMatchObject({ action: 'merge', target: { id: 'assets', name: 'assets' } });
    const ours = destination({ objectStore: store({ containers: [{ name: 'assets', bundle: BUNDLE_ID }] }) });
    expect(errors(planFor(b, ours))).toEqual([]);
    expect(nodeOf(planFor(b, ours), key).action).toBe('create');
  });

  it('refuses what the account quota cannot hold, and a destination without object storage', () => {
    const b = new GraphBuilder();
    container(b, 'assets');
    const full = planFor(b, destination({ objectStore: store({ quotaBytes: 1500, bytesUsed: 600 }) }));
    expect(findingsWith(full, 'QUOTA_EXCEEDED')).toHaveLength(1);
    expect(
      errors(planFor(b, destination({ objectStore: store({ quotaBytes: 1600, bytesUsed: 600 }) }))),
    ).toEqual([]);
    expect(findingsWith(planFor(b, destination()), 'SERVICE_MISSING')).toHaveLength(1);
  });
});
