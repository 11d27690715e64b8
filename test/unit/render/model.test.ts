import { describe, expect, it } from 'vitest';
import { identifier, refTo, zoneInput } from '../../../src/render/model.js';
import { assembleScript } from '../../../src/render/data-script.js';
import { fixtureModel, loadRenderFixture } from './support.js';

describe('render model', () => {
  it('orders resources so that each comes after everything it depends on', () => {
    const model = fixtureModel();
    const seen = new Set<string>();
    for (const r of model.resources) {
      for (const dep of r.dependsOn) expect(seen.has(dep), `${r.symbol} before ${dep}`).toBe(true);
      seen.add(r.symbol);
    }
    const created = loadRenderFixture().graph.nodes.filter((n) => n.disposition === 'create');
    expect(model.resources.map((r) => r.key).sort()).toEqual(created.map((n) => n.key).sort());
  });

  it('gives every resource and input a unique identifier that all three formats accept', () => {
    const model = fixtureModel();
    const symbols = [...model.resources.map((r) => r.symbol), ...model.inputs.map((i) => i.symbol)];
    for (const s of symbols) expect(s).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(new Set(model.resources.map((r) => r.symbol)).size).toBe(model.resources.length);
    expect(new Set(model.inputs.map((i) => i.symbol)).size).toBe(model.inputs.length);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(fixtureModel())).toBe(JSON.stringify(fixtureModel()));
  });

  it('turns what must exist into inputs, with the mapping file as default', () => {
    const plain = fixtureModel();
    expect(plain.inputs.find((i) => i.role === 'flavor')).toMatchObject({
      default: 'm1.tiny',
      source: 'm1.tiny',
      mapped: false,
    });
    const mapped = fixtureModel({ flavors: { 'm1.tiny': 'ds.nano' }, networks: { public: 'ext-net' } });
    expect(mapped.inputs.find((i) => i.role === 'flavor')).toMatchObject({
      default: 'ds.nano',
      mapped: true,
    });
    expect(mapped.inputs.find((i) => i.role === 'network')).toMatchObject({
      default: 'ext-net',
      mapped: true,
    });
  });

  it('resolves references to resources and to inputs', () => {
    const model = fixtureModel();
    const web = model.resources.find((r) => r.kind === 'compute.server' && r.name?.endsWith('-web'));
    expect(web).toBeDefined();
    const flavor = refTo(model, 'compute.flavor', web?.doc['flavor'] as string);
    expect(flavor?.type).toBe('input');
    const image = refTo(model, 'image.image', web?.doc['image'] as string);
    expect(image?.type === 'resource' && image.resource.data?.diskFormat).toBe('raw');
    expect(refTo(model, 'network.network', 'no-such-id')).toBeUndefined();
    expect(web && zoneInput(model, web)?.role).toBe('compute_zone');
  });

  it('lets the cloud choose the zone when the mapping says ""', () => {
    const model = fixtureModel({ availabilityZones: { nova: '' } });
    expect(model.inputs.some((i) => i.role.endsWith('_zone'))).toBe(false);
    const web = model.resources.find((r) => r.kind === 'compute.server');
    expect(web && zoneInput(model, web)).toBeUndefined();
  });

  it('renames a keypair the mapping renames', () => {
    const model = fixtureModel({ keypairs: { 'rfx-key': 'shop-key' } });
    expect(model.resources.find((r) => r.kind === 'compute.keypair')?.name).toBe('shop-key');
  });

  it('rebuilds each data file from its chunks, in order, checked by SHA-256', () => {
    const model = fixtureModel();
    const script = assembleScript(model) ?? '';
    for (const r of model.resources.filter((x) => x.data)) {
      expect(script).toContain(`assemble '${r.data?.file}' ${r.data?.sha256}`);
      for (const c of r.data?.chunks ?? []) expect(script).toContain(c);
    }
    expect(script).toContain('sha256sum -c');
    expect(identifier('Web Server #1')).toBe('web_server_1');
  });
});
