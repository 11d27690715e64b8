import { describe, expect, it } from 'vitest';
import type { DestinationFacts } from '../../../src/plan/types.js';
import {
  BUNDLE_ID,
  data,
  destination,
  errors,
  findingsWith,
  GraphBuilder,
  nodeOf,
  planFor,
  PROJECT,
} from './builders.js';

type Image = DestinationFacts['images'][number];
const SHA512 = 'f'.repeat(128);

const image = (overrides: Partial<Image>): Image => ({
  id: 'img',
  name: 'img',
  owner: 'operator',
  visibility: 'public',
  status: 'active',
  size: 1000,
  os_hash_algo: 'sha512',
  os_hash_value: 'e'.repeat(128),
  checksum: 'c'.repeat(32),
  disk_format: 'qcow2',
  ...overrides,
});

const publicImage = (b: GraphBuilder, name: string, hash: string, checksum = 'd'.repeat(32)) =>
  b.add('image.image', `src-${name}`, {
    name,
    disposition: 'existing',
    identity: {
      name,
      os_hash_algo: 'sha512',
      os_hash_value: hash,
      checksum,
      size: 1000,
      disk_format: 'qcow2',
      visibility: 'public',
    },
  });

describe('volume types', () => {
  it('maps a volume type by name and gives its volumes the destination type', () => {
    const b = new GraphBuilder();
    const type = b.volumeType('ssd');
    const volume = b.volume('v1', { size: 10, volume_type: 'ssd', availability_zone: 'nova' });
    const facts = destination({
      volumeTypes: [
        { id: 'vt-default', name: '__DEFAULT__', is_default: true },
        { id: 'vt-ssd', name: 'ssd', is_default: false },
      ],
    });
    const plan = planFor(b, facts);
    expect(nodeOf(plan, type).target).toEqual({ id: 'vt-ssd', name: 'ssd' });
    expect(nodeOf(plan, volume).overrides).toEqual({ volume_type: 'ssd', availability_zone: 'nova' });
  });

  it("falls back to the destination's default type, with a warning", () => {
    const b = new GraphBuilder();
    const type = b.volumeType('lvmdriver-1');
    const volume = b.volume('v1', { size: 10, volume_type: 'lvmdriver-1' });
    const plan = planFor(b);
    expect(nodeOf(plan, type).target?.id).toBe('vt-default');
    expect(nodeOf(plan, volume).overrides).toMatchObject({ volume_type: '__DEFAULT__' });
    expect(findingsWith(plan, 'VOLUME_TYPE_DEFAULT')).toEqual([
      expect.objectContaining({ severity: 'warning', key: type }),
    ]);
    expect(plan.ok).toBe(true);
  });

  it("gives volumes of Cinder's placeholder type __DEFAULT__ the destination's default type, not its placeholder", () => {
    const b = new GraphBuilder();
    const type = b.volumeType('__DEFAULT__');
    const volume = b.volume('v1', { size: 1, volume_type: '__DEFAULT__' });
    const facts = destination({
      volumeTypes: [
        { id: 'vt-placeholder', name: '__DEFAULT__', is_default: false },
        { id: 'vt-standard', name: 'standard', is_default: true },
      ],
    });
    const plan = planFor(b, facts);
    expect(nodeOf(plan, type).target).toEqual({ id: 'vt-standard', name: 'standard' });
    expect(nodeOf(plan, volume).overrides).toMatchObject({ volume_type: 'standard' });
    expect(findingsWith(plan, 'VOLUME_TYPE_DEFAULT')).toEqual([]);
  });

  it('follows map.yaml for volume types, and refuses one the destination lacks', () => {
    const b = new GraphBuilder();
    const type = b.volumeType('lvmdriver-1');
    const facts = destination({ volumeTypes: [{ id: 'vt-fast', name: 'fast', is_default: false }] });
    expect(nodeOf(planFor(b, facts, { volumeTypes: { 'lvmdriver-1': 'vt-fast' } }), type).target?.name).toBe(
      'fast',
    );
    const refused = planFor(b, facts, { volumeTypes: { 'lvmdriver-1': 'slow' } });
    expect(errors(refused)[0]).toMatchObject({ code: 'VOLUME_TYPE_MAPPING_UNKNOWN' });
    expect(errors(refused)[0]?.message).toContain('its types: fast');
  });

  it('refuses a volume type when the destination has neither that name nor a default', () => {
    const b = new GraphBuilder();
    b.volumeType('lvmdriver-1');
    const plan = planFor(
      b,
      destination({ volumeTypes: [{ id: 'vt-fast', name: 'fast', is_default: false }] }),
    );
    expect(errors(plan).map((f) => f.code)).toEqual(['VOLUME_TYPE_UNRESOLVED']);
  });
});

describe('public images', () => {
  it('maps a public image to a destination image with the same hash, whatever its name', () => {
    const b = new GraphBuilder();
    const key = publicImage(b, 'cirros-0.6.2', SHA512);
    const facts = destination({
      images: [
        image({ id: 'img-named', name: 'cirros-0.6.2' }),
        image({ id: 'img-same', name: 'CirrOS', os_hash_value: SHA512 }),
      ],
    });
    const plan = planFor(b, facts);
    expect(nodeOf(plan, key)).toMatchObject({
      action: 'map',
      target: { id: 'img-same' },
      reason: 'same data (hash)',
    });
    expect(plan.findings).toEqual([]);
  });

  it('maps a public image by its MD5 checksum when the multihash differs in algorithm', () => {
    const b = new GraphBuilder();
    const key = publicImage(b, 'cirros', SHA512, '1'.repeat(32));
    const plan = planFor(
      b,
      destination({
        images: [
          image({
            id: 'img-md5',
            os_hash_algo: 'sha256',
            os_hash_value: '2'.repeat(64),
            checksum: '1'.repeat(32),
          }),
        ],
      }),
    );
    expect(nodeOf(plan, key).target?.id).toBe('img-md5');
  });

  it('maps a public image by name only, warning that the bytes may differ', () => {
    const b = new GraphBuilder();
    const key = publicImage(b, 'cirros', SHA512);
    const plan = planFor(b, destination({ images: [image({ id: 'img-cirros', name: 'cirros' })] }));
    expect(nodeOf(plan, key).target?.id).toBe('img-cirros');
    expect(findingsWith(plan, 'IMAGE_SAME_NAME_ONLY')).toEqual([
      expect.objectContaining({ severity: 'warning', key }),
    ]);
    expect(plan.ok).toBe(true);
  });

  it('ignores images that are not active', () => {
    const b = new GraphBuilder();
    publicImage(b, 'cirros', SHA512);
    const plan = planFor(
      b,
      destination({
        images: [image({ id: 'img-q', name: 'cirros', os_hash_value: SHA512, status: 'queued' })],
      }),
    );
    expect(errors(plan).map((f) => f.code)).toEqual(['IMAGE_UNRESOLVED']);
  });

  it('refuses a public image the destination lacks, saying to upload or map it', () => {
    const b = new GraphBuilder();
    const key = publicImage(b, 'ubuntu-24.04', SHA512);
    const plan = planFor(b);
    expect(errors(plan)).toEqual([expect.objectContaining({ code: 'IMAGE_UNRESOLVED', key })]);
    expect(errors(plan)[0]?.message).toContain('upload it or map it in map.yaml');
  });

  it('follows map.yaml for images', () => {
    const b = new GraphBuilder();
    const key = publicImage(b, 'ubuntu-24.04', SHA512);
    const plan = planFor(b, destination({ images: [image({ id: 'img-noble', name: 'Ubuntu 24.04' })] }), {
      images: { 'ubuntu-24.04': 'Ubuntu 24.04' },
    });
    expect(nodeOf(plan, key).target?.id).toBe('img-noble');
    expect(plan.ok).toBe(true);
  });
});

describe('images in the bundle', () => {
  const owned = (overrides: Partial<Image> = {}) =>
    image({
      id: 'img-there',
      name: 'web-disk',
      owner: PROJECT.id,
      visibility: 'private',
      os_hash_value: SHA512,
      size: 4096,
      ...overrides,
    });
  const bundled = (b: GraphBuilder) =>
    b.add('image.image', 'src-img', {
      name: 'web-disk',
      dataInfo: data(4096, { source_hash: { algorithm: 'sha512', value: SHA512 } }),
    });

  it('reuses an image whose hash already exists at the destination, uploading nothing', () => {
    const b = new GraphBuilder();
    const key = bundled(b);
    const plan = planFor(b, destination({ images: [owned()] }));
    expect(nodeOf(plan, key)).toMatchObject({ action: 'reuse', target: { id: 'img-there' }, uploadBytes: 0 });
    expect(plan.totals).toMatchObject({ reuse: 1, uploadBytes: 0 });
  });

  it('uploads an image whose hash is not at the destination', () => {
    const b = new GraphBuilder();
    const key = bundled(b);
    const plan = planFor(b, destination({ images: [owned({ os_hash_value: '0'.repeat(128) })] }));
    expect(nodeOf(plan, key)).toMatchObject({ action: 'create', uploadBytes: 4096 });
    expect(plan.totals.uploadBytes).toBe(4096);
  });

  it("does not reuse another project's image, one in another disk format, or one an earlier run of this bundle created", () => {
    const b = new GraphBuilder();
    const key = bundled(b);
    for (const other of [
      owned({ owner: 'someone-else' }),
      owned({ disk_format: 'raw' }),
      owned({ tags: [`downpour:bundle=${BUNDLE_ID}`, 'downpour:src=src-img'] }),
    ]) {
      expect(nodeOf(planFor(b, destination({ images: [other] })), key).action).toBe('create');
    }
  });

  it('reuses by our own SHA-256 when the destination hashes with sha256', () => {
    const b = new GraphBuilder();
    const key = b.add('image.image', 'src-img', { name: 'x', dataInfo: data(4096) });
    const plan = planFor(
      b,
      destination({ images: [owned({ os_hash_algo: 'sha256', os_hash_value: 'a'.repeat(64) })] }),
    );
    expect(nodeOf(plan, key).action).toBe('reuse');
  });
});
