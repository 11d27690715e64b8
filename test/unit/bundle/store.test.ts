import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BundleFormatError, UsageError } from '../../../src/core/errors.js';
import {
  blobPath,
  BundleWriter,
  canonicalJson,
  ingestKeyName,
  MediaType,
  openBundle,
  packBundle,
  parseDigest,
  type Descriptor,
} from '../../../src/bundle/index.js';
import { collect, pieces, randomBytesSeeded, sha256, tempDir } from './helpers.js';

async function blobNames(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'blobs', 'sha256'))).sort();
}

/** A small bundle: one data stream, two resource documents, a graph. */
async function writeSample(dir: string, data: Buffer, chunkSize = 64 * 1024) {
  const writer = await BundleWriter.open(dir);
  const { descriptor: image, manifest } = await writer.putData(pieces(data), { key: 'image-1', chunkSize });
  const net = await writer.putJson(MediaType.resource, { kind: 'network', name: 'shop-net' });
  const img = await writer.putJson(MediaType.resource, { kind: 'image', name: 'web', data: image });
  const graph = await writer.putJson(MediaType.graph, { nodes: [{ doc: net }, { doc: img }] });
  const index = await writer.commit(graph, { 'org.downpour.source': 'src' });
  return { writer, image, manifest, net, img, graph, index };
}

describe('bundle store', () => {
  it('round-trips JSON documents and chunked data through a directory and through a packed .tar', async () => {
    const root = await tempDir();
    const dir = join(root, 'shop.bundle');
    const data = randomBytesSeeded(300_000, 1);
    const { graph, net, img, image, manifest, index } = await writeSample(dir, data);
    expect(manifest).toMatchObject({ size: data.length, chunkSize: 65536, sha256: sha256(data) });
    expect(manifest.chunks).toHaveLength(5);

    const tar = join(root, 'shop.tar');
    await packBundle(dir, tar);
    for (const path of [dir, tar]) {
      const reader = await openBundle(path);
      expect(reader.kind).toBe(path === dir ? 'directory' : 'tar');
      expect(reader.index()).toEqual(index);
      expect(await reader.readJson(reader.index().root)).toEqual({ nodes: [{ doc: net }, { doc: img }] });
      expect(await reader.readJson<{ data: Descriptor }>(img)).toEqual({
        kind: 'image',
        name: 'web',
        data: image,
      });
      expect((await collect(await reader.openData(image))).equals(data)).toBe(true);
      expect(await reader.readDataManifest(image)).toEqual(manifest);
      expect(await reader.has(graph.digest)).toBe(true);
      expect(await reader.blobSize(graph.digest)).toBe(graph.size);
      expect(await reader.has(`sha256:${'0'.repeat(64)}`)).toBe(false);
    }
  });

  it('stores canonical JSON, so documents equal up to key order share one blob', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const writer = await BundleWriter.open(dir);
    const a = await writer.putJson(MediaType.resource, { name: 'x', tags: ['a'], nested: { z: 1, a: 2 } });
    const b = await writer.putJson(MediaType.resource, { nested: { a: 2, z: 1 }, tags: ['a'], name: 'x' });
    expect(b).toEqual(a);
    expect(await blobNames(dir)).toEqual([parseDigest(a.digest)]);
    expect(await readFile(blobPath(dir, a.digest), 'utf8')).toBe(
      '{"name":"x","nested":{"a":2,"z":1},"tags":["a"]}',
    );
    expect(canonicalJson({ b: undefined, a: [undefined] })).toBe('{"a":[null]}');
  });

  it('stores identical chunks once, within one stream and across streams', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const writer = await BundleWriter.open(dir);
    const block = randomBytesSeeded(4096, 2);
    const data = Buffer.concat([block, block, block, block.subarray(0, 100)]);
    const one = await writer.putData(pieces(data, 1000), { key: 'a', chunkSize: 4096 });
    const two = await writer.putData(pieces(data, 333), { key: 'b', chunkSize: 4096 });
    expect(one.manifest.chunks.map((c) => c.digest)).toEqual([
      ...Array<string>(3).fill(`sha256:${sha256(block)}`),
      `sha256:${sha256(block.subarray(0, 100))}`,
    ]);
    expect(two.descriptor).toEqual(one.descriptor);
    // Two chunk blobs and one manifest blob.
    expect(await blobNames(dir)).toHaveLength(3);
  });

  it('keeps the bundle id and createdAt on a second commit and adds only the missing blobs', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const data = randomBytesSeeded(200_000, 3);
    const first = await writeSample(dir, data);
    const before = new Map<string, number>();
    for (const name of await blobNames(dir))
      before.set(name, (await stat(join(dir, 'blobs', 'sha256', name))).ino);

    const times = [new Date('2031-01-01T00:00:00Z')];
    const writer = await BundleWriter.open(dir, { now: () => times[0]! });
    expect(writer.bundleId).toBe(first.index.bundleId);
    expect(writer.committed).toEqual(first.index);
    const again = await writer.putData(pieces(data), { key: 'image-1', chunkSize: 64 * 1024 });
    expect(again.descriptor).toEqual(first.image);
    const extra = await writer.putJson(MediaType.resource, { kind: 'keypair', name: 'k' });
    const graph = await writer.putJson(MediaType.graph, {
      nodes: [{ doc: first.net }, { doc: first.img }, { doc: extra }],
    });
    const index = await writer.commit(graph);

    expect(index.bundleId).toBe(first.index.bundleId);
    expect(index.createdAt).toBe(first.index.createdAt);
    expect(index.updatedAt).toBe('2031-01-01T00:00:00.000Z');
    const after = await blobNames(dir);
    expect(after.filter((n) => !before.has(n)).sort()).toEqual(
      [parseDigest(extra.digest), parseDigest(graph.digest)].sort(),
    );
    for (const [name, ino] of before) expect((await stat(join(dir, 'blobs', 'sha256', name))).ino).toBe(ino);
    expect((await openBundle(dir)).index().root).toEqual(graph);
  });

  it('keeps the bundle id of a first export that was killed before it committed', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const first = await BundleWriter.open(dir);
    await first.putJson(MediaType.resource, { a: 1 });
    const second = await BundleWriter.open(dir);
    expect(second.bundleId).toBe(first.bundleId);
    expect(second.createdAt).toBe(first.createdAt);
  });

  it('removes ingest/ on commit and never packs it', async () => {
    const root = await tempDir();
    const dir = join(root, 'b.bundle');
    await writeSample(dir, randomBytesSeeded(10_000, 4));
    expect((await readdir(dir)).sort()).toEqual(['blobs', 'downpour-bundle.json', 'index.json']);
    expect(JSON.parse(await readFile(join(dir, 'downpour-bundle.json'), 'utf8'))).toEqual({
      format: 'downpour-bundle',
      version: 1,
    });
  });

  it('creates files 0600 and directories 0700, the packed .tar included', async () => {
    const root = await tempDir();
    const dir = join(root, 'b.bundle');
    const writer = await BundleWriter.open(dir);
    await writer.putData(pieces(randomBytesSeeded(5000, 5)), { key: 'k', chunkSize: 4096 });
    const seen: { path: string; mode: number; dir: boolean }[] = [];
    const walk = async (path: string): Promise<void> => {
      const info = await stat(path);
      seen.push({ path, mode: info.mode & 0o777, dir: info.isDirectory() });
      if (info.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
    };
    await walk(dir); // with ingest/ and its progress file still present
    const doc = await writer.putJson(MediaType.graph, {});
    await writer.commit(doc);
    await packBundle(dir, join(root, 'b.tar'));
    await walk(dir);
    await walk(join(root, 'b.tar'));
    for (const { path, mode, dir: isDir } of seen)
      expect({ path, mode }).toEqual({ path, mode: isDir ? 0o700 : 0o600 });
    expect(seen.map((e) => e.path)).toContain(join(dir, 'ingest', ingestKeyName('k'), 'progress.json'));
  });

  it('sanitises ingest keys into one safe, distinct directory name', () => {
    const names = ['../../etc/passwd', 'a/b', 'a_b', '.hidden', 'img:1234@sha256=ab'].map(ingestKeyName);
    for (const name of names)
      expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{16}$|^-[0-9a-f]{16}$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('refuses to write into a directory that is not a bundle, or one of a newer format', async () => {
    const root = await tempDir();
    await writeFileSimple(join(root, 'other', 'notes.txt'), 'hello');
    await expect(BundleWriter.open(join(root, 'other'))).rejects.toBeInstanceOf(UsageError);
    await writeFileSimple(
      join(root, 'newer', 'downpour-bundle.json'),
      '{"format":"downpour-bundle","version":9}',
    );
    await expect(BundleWriter.open(join(root, 'newer'))).rejects.toBeInstanceOf(BundleFormatError);
  });

  it('refuses to commit a root document that is not in the bundle', async () => {
    const writer = await BundleWriter.open(join(await tempDir(), 'b.bundle'));
    const ghost: Descriptor = { mediaType: MediaType.graph, digest: `sha256:${'a'.repeat(64)}`, size: 2 };
    await expect(writer.commit(ghost)).rejects.toMatchObject({ code: 'E_BUNDLE_INTEGRITY' });
  });

  it('refuses a source that ends before its expected size', async () => {
    const writer = await BundleWriter.open(join(await tempDir(), 'b.bundle'));
    const data = randomBytesSeeded(10_000, 6);
    await expect(
      writer.putData(pieces(data), { key: 'k', chunkSize: 4096, expectedSize: 10_001 }),
    ).rejects.toMatchObject({
      code: 'E_BUNDLE_INTEGRITY',
    });
  });
});

async function writeFileSimple(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
