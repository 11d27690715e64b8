import { describe, expect, it } from 'vitest';
import { APPLIES, KINDS, REMOVAL_ORDER } from '../../../src/kinds/registry.js';
import { KIND_NAMES } from '../../../src/kinds/model.js';

describe('the registry of kinds', () => {
  it('holds every kind once, under its own type', () => {
    expect(Object.keys(KINDS).sort()).toEqual([...KIND_NAMES].sort());
    for (const [type, kind] of Object.entries(KINDS)) {
      expect(kind.type).toBe(type);
      if (kind.export) expect(kind.export.kind).toBe(type);
      if (kind.apply) expect(kind.apply.kind).toBe(type);
    }
  });

  it('gives destroy an order for every kind that import can create', () => {
    expect(Object.keys(APPLIES).filter((k) => !REMOVAL_ORDER.includes(k as never))).toEqual([]);
  });

  it('lists by provenance tag exactly the Neutron kinds', () => {
    expect(
      Object.entries(APPLIES)
        .filter(([, a]) => a.tagged)
        .map(([k]) => k)
        .sort(),
    ).toEqual([
      'network.floating-ip',
      'network.network',
      'network.port',
      'network.router',
      'network.security-group',
      'network.subnet',
    ]);
  });
});
