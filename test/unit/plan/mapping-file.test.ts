import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../../src/core/errors.js';
import { lookupMapping, parseMappingFile, readMappingFile } from '../../../src/plan/mapping-file.js';

function refusal(text: string, file = 'map.yaml'): UsageError {
  try {
    parseMappingFile(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('map.yaml', () => {
  it('reads every section as source -> destination strings', () => {
    const mapping = parseMappingFile(
      [
        'flavors: {m1.small: general.small}',
        'networks: {public: ext-net}',
        'volumeTypes: {lvmdriver-1: standard}',
        'availabilityZones: {nova: az1, rack-2: ""}',
        'images: {cirros: cirros-0.6}',
        'keypairs: {deploy: deploy-2}',
      ].join('\n'),
    );
    expect(mapping).toEqual({
      flavors: { 'm1.small': 'general.small' },
      networks: { public: 'ext-net' },
      volumeTypes: { 'lvmdriver-1': 'standard' },
      availabilityZones: { nova: 'az1', 'rack-2': '' },
      images: { cirros: 'cirros-0.6' },
      keypairs: { deploy: 'deploy-2' },
    });
  });

  it('maps nothing when the file or a section is empty', () => {
    expect(parseMappingFile('')).toEqual({});
    expect(parseMappingFile('# only a comment\n')).toEqual({});
    expect(parseMappingFile('flavors:\n')).toEqual({});
  });

  it('refuses an unknown top-level key, naming the file and the key and suggesting the spelling', () => {
    const err = refusal('volume_types: {a: b}\n', '/tmp/my-map.yaml');
    expect(err.exitCode).toBe(ExitCode.usage);
    expect(err.message).toContain('/tmp/my-map.yaml');
    expect(err.message).toContain('"volume_types"');
    expect(err.message).toContain('did you mean "volumeTypes"');
    expect(refusal('flavours: {a: b}\n').message).toContain('known keys: flavors, networks');
  });

  it('refuses a value that is not a string, naming the file and the key', () => {
    const err = refusal('flavors:\n  m1.small: 2\n', 'map.yaml');
    expect(err.message).toContain('map.yaml');
    expect(err.message).toContain('"flavors.m1.small" must be a string, not number');
    expect(refusal('availabilityZones: {nova: null}\n').message).toContain(
      'write "" to let the destination choose',
    );
    expect(refusal('images: {cirros: [a, b]}\n').message).toContain('not a list');
  });

  it('refuses a section that is not a mapping, and a document that is not one', () => {
    expect(refusal('flavors: [m1.small]\n').message).toContain('"flavors" must be a mapping');
    expect(refusal('- flavors\n').message).toContain('expected a mapping of sections');
  });

  it('refuses an empty destination except for availability zones', () => {
    expect(refusal('networks: {public: ""}\n').message).toContain('"networks.public" is empty');
  });

  it('reports YAML that does not parse as a usage error', () => {
    expect(refusal('flavors: {a: b\n').message).toMatch(/map\.yaml is not valid YAML/);
  });

  it('reads a file from disk, and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'downpour-map-'));
    try {
      const path = join(dir, 'map.yaml');
      writeFileSync(path, 'flavors: {a: b}\n');
      expect(readMappingFile(path)).toEqual({ flavors: { a: 'b' } });
      expect(() => readMappingFile(join(dir, 'absent.yaml'))).toThrow(
        /cannot read mapping file .*absent\.yaml/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('looks up by the first name the section has, and never finds Object.prototype members', () => {
    expect(lookupMapping({ web: 'x' }, 'missing', 'web')).toEqual({ from: 'web', to: 'x' });
    expect(lookupMapping({}, 'constructor')).toBeUndefined();
    expect(lookupMapping(undefined, 'web')).toBeUndefined();
  });
});

describe('docs/mapping.md', () => {
  it('shows an example that parses', () => {
    const text = readFileSync(new URL('../../../docs/mapping.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(text)?.[1];
    expect(example).toBeDefined();
    const mapping = parseMappingFile(example ?? '', 'docs/mapping.md');
    expect(Object.keys(mapping).sort()).toEqual([
      'availabilityZones',
      'containers',
      'flavors',
      'images',
      'keypairs',
      'networks',
      'storagePolicies',
      'volumeTypes',
    ]);
    expect(mapping.availabilityZones?.['rack-2']).toBe('');
    expect(mapping.containers?.['assets']).toBe('merge');
  });
});
