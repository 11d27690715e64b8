import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  blobPath,
  BundleWriter,
  MediaType,
  openBundle,
  packBundle,
  verifyBundle,
  type VerifyProgress,
} from '../../../src/bundle/index.js';
import { cutTo, flipByte, remove } from './damage.js';
import { pieces, randomBytesSeeded, tempDir } from './helpers.js';

const CHUNK = 4096;

/** root graph -> three resource documents; the image document -> a data manifest of 5 chunks. */
async function sample(dir: string) {
  const writer = await BundleWriter.open(dir);
  const data = randomBytesSeeded(CHUNK * 4 + 123, 11);
  const { descriptor: image, manifest } = await writer.putData(pieces(data), {
    key: 'img',
    chunkSize: CHUNK,
  });
  const docs = [
    await writer.putJson(MediaType.resource, { kind: 'network', name: 'n' }),
    await writer.putJson(MediaType.resource, { kind: 'image', name: 'i', disk: { data: image } }),
    await writer.putJson(MediaType.resource, { kind: 'keypair', name: 'k' }),
  ];
  // The same document twice: checked once, reported at its first path.
  const graph = await writer.putJson(MediaType.graph, {
    nodes: docs.map((d) => ({ doc: d })),
    again: docs[0],
  });
  await writer.commit(graph);
  return { docs, image, manifest, data };
}

describe('verifyBundle', () => {
  it('checks every reachable blob once and reports a healthy bundle as such', async () => {
    const root = await tempDir();
    const dir = join(root, 'b.bundle');
    const { data } = await sample(dir);
    await packBundle(dir, join(root, 'b.tar'));
    for (const path of [dir, join(root, 'b.tar')]) {
      const seen: VerifyProgress[] = [];
      const report = await verifyBundle(await openBundle(path), { onProgress: (p) => seen.push(p) });
      // graph + 3 docs + manifest + 5 chunks
      expect(report.blobs).toBe(10);
      expect(report.bytes).toBeGreaterThan(data.length);
      expect(report.problems).toEqual([]);
      expect(seen.at(-1)).toEqual({ blobs: 10, bytes: report.bytes, problems: 0 });
    }
  });

  it('reports truncated, tampered and missing blobs, all of them, with where they sit in the graph', async () => {
    const root = await tempDir();
    const dir = join(root, 'b.bundle');
    const { docs, manifest } = await sample(dir);
    const [c1, c3] = [manifest.chunks[1]!, manifest.chunks[3]!];
    await cutTo(blobPath(dir, c1.digest), 100);
    await flipByte(blobPath(dir, c3.digest), 7);
    await remove(blobPath(dir, docs[2]!.digest));
    await packBundle(dir, join(root, 'b.tar'));

    for (const path of [dir, join(root, 'b.tar')]) {
      const report = await verifyBundle(await openBundle(path));
      expect(report.blobs).toBe(10);
      expect(report.problems).toEqual([
        { digest: docs[2]!.digest, path: 'root.nodes[2].doc', problem: 'missing' },
        {
          digest: c1.digest,
          path: 'root.nodes[1].doc.disk.data.chunks[1]',
          problem: 'size',
          expected: CHUNK,
          actual: 100,
        },
        {
          digest: c3.digest,
          path: 'root.nodes[1].doc.disk.data.chunks[3]',
          problem: 'digest',
          actual: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
        },
      ]);
    }
  });

  it('checks data chunks by size only when asked, documents and manifests still by digest', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const { docs, manifest, image } = await sample(dir);
    const [c1, c3] = [manifest.chunks[1]!, manifest.chunks[3]!];
    await cutTo(blobPath(dir, c1.digest), 100);
    await flipByte(blobPath(dir, c3.digest), 7);
    await flipByte(blobPath(dir, docs[0]!.digest), 3);
    const report = await verifyBundle(await openBundle(dir), { chunkDigests: false });
    expect(report.problems.map((p) => [p.digest, p.problem])).toEqual([
      [docs[0]!.digest, 'digest'],
      [c1.digest, 'size'],
    ]);
    expect(report.problems.some((p) => p.digest === image.digest || p.digest === c3.digest)).toBe(false);
  });

  it('reports a damaged data manifest without losing the rest of the report', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const { image } = await sample(dir);
    await flipByte(blobPath(dir, image.digest), 3);
    const report = await verifyBundle(await openBundle(dir));
    expect(report.problems).toEqual([
      expect.objectContaining({
        digest: image.digest,
        path: 'root.nodes[1].doc.disk.data',
        problem: 'digest',
      }),
    ]);
    // Its chunks can no longer be reached; everything else still was.
    expect(report.blobs).toBe(5);
  });
});
