/**
 * Damaged bundles must fail loudly and typed: random byte flips and truncations of a packed .tar
 * and of index.json either read back the original content exactly or end in a DownpourError.
 * Never a crash (TypeError, RangeError), never a hang, never silently different data.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DownpourError } from '../../../src/core/errors.js';
import {
  BundleWriter,
  MediaType,
  openBundle,
  packBundle,
  verifyBundle,
  type Descriptor,
} from '../../../src/bundle/index.js';
import { collect, pieces, prng, randomBytesSeeded, tempDir } from './helpers.js';

const ROUNDS = 150;
const PER_CASE_MS = 2000;

async function sampleBundle(root: string) {
  const dir = join(root, 'f.bundle');
  const writer = await BundleWriter.open(dir);
  const data = randomBytesSeeded(3000, 5);
  const { descriptor } = await writer.putData(pieces(data, 500), { key: 'd', chunkSize: 1024 });
  const doc = { kind: 'image', name: 'web', data: descriptor };
  const graph = { nodes: [{ doc: await writer.putJson(MediaType.resource, doc) }] };
  await writer.commit(await writer.putJson(MediaType.graph, graph), { note: 'fuzz' });
  const tar = join(root, 'f.tar');
  await packBundle(dir, tar);
  return { dir, tar, data, graph };
}

type Outcome = 'intact' | 'refused' | 'reported';

/** Reads everything a command would; a typed refusal at any step is an acceptable outcome. */
async function exercise(path: string, expected: { data: Buffer; graph: unknown }): Promise<Outcome> {
  try {
    const reader = await openBundle(path);
    const graph = await reader.readJson<{ nodes: { doc: Descriptor }[] }>(reader.index().root);
    expect(graph).toEqual(expected.graph);
    const doc = await reader.readJson<{ data: Descriptor }>(graph.nodes[0]!.doc);
    const data = await collect(await reader.openData(doc.data));
    expect(data.equals(expected.data)).toBe(true);
    const report = await verifyBundle(reader);
    return report.problems.length === 0 ? 'intact' : 'reported';
  } catch (err) {
    if (err instanceof DownpourError) return 'refused';
    throw err;
  }
}

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${label}`)), PER_CASE_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Start of the name, mode, size, typeflag, magic and prefix fields of a ustar header. */
const FIELDS = [0, 3, 100, 124, 130, 156, 257, 345];

function headerOffsets(tar: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
    out.push(at);
    const size = parseInt(tar.subarray(at + 124, at + 135).toString('latin1'), 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

function reseal(tar: Buffer, header: number): void {
  tar.fill(0x20, header + 148, header + 156);
  let sum = 0;
  for (let i = header; i < header + 512; i++) sum += tar[i]!;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, header + 148, 8, 'latin1');
}

function mutate(original: Buffer, random: () => number): { bytes: Buffer; what: string } {
  if (random() < 0.3) {
    const size = Math.floor(random() * original.length);
    return { bytes: original.subarray(0, size), what: `truncated to ${size}` };
  }
  const bytes = Buffer.from(original);
  const flips: number[] = [];
  for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
    const at = Math.floor(random() * bytes.length);
    bytes[at] = bytes[at]! ^ (1 + Math.floor(random() * 255));
    flips.push(at);
  }
  return { bytes, what: `flipped bytes at ${flips.join(',')}` };
}

describe('readers under random damage', () => {
  it('turn every flip or truncation of a packed .tar into intact data or a typed error', async () => {
    const root = await tempDir();
    const sample = await sampleBundle(root);
    const original = await readFile(sample.tar);
    const random = prng(0xb0d1e5);
    const outcomes: Record<Outcome, number> = { intact: 0, refused: 0, reported: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const { bytes, what } = mutate(original, random);
      const path = join(root, 'mutated.tar');
      await writeFile(path, bytes);
      outcomes[await withTimeout(exercise(path, sample), `round ${round}: ${what}`)]++;
    }
    // The damage must actually be noticed most of the time, or this test proves nothing.
    expect(outcomes.refused + outcomes.reported).toBeGreaterThan(ROUNDS / 2);
  }, 30_000);

  it('turn header damage that keeps a valid checksum into intact data or a typed error', async () => {
    // Random flips almost always stop at the checksum; re-sealing the header reaches the parsing behind it.
    const root = await tempDir();
    const sample = await sampleBundle(root);
    const original = await readFile(sample.tar);
    const headers = headerOffsets(original);
    const random = prng(0x7a4);
    const outcomes: Record<Outcome, number> = { intact: 0, refused: 0, reported: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const bytes = Buffer.from(original);
      const header = headers[Math.floor(random() * headers.length)]!;
      const at = header + FIELDS[Math.floor(random() * FIELDS.length)]! + Math.floor(random() * 8);
      bytes[at] =
        random() < 0.5 ? bytes[at]! ^ (1 + Math.floor(random() * 255)) : '0125x/.'.charCodeAt(round % 7);
      reseal(bytes, header);
      const path = join(root, 'mutated.tar');
      await writeFile(path, bytes);
      outcomes[await withTimeout(exercise(path, sample), `round ${round}: header ${header} byte ${at}`)]++;
    }
    expect(outcomes.refused + outcomes.reported).toBeGreaterThan(ROUNDS / 4);
  }, 30_000);

  it('turn every flip or truncation of index.json into a usable index or a typed error', async () => {
    const root = await tempDir();
    const sample = await sampleBundle(root);
    const indexPath = join(sample.dir, 'index.json');
    const original = await readFile(indexPath);
    const random = prng(0x1de);
    let refused = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { bytes, what } = mutate(original, random);
      await writeFile(indexPath, bytes);
      if ((await withTimeout(exercise(sample.dir, sample), `round ${round}: ${what}`)) === 'refused')
        refused++;
    }
    expect(refused).toBeGreaterThan(ROUNDS / 2);
  }, 30_000);
});
