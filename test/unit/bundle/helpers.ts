import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A fresh temp directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'downpour-bundle-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** mulberry32: small, seeded, good enough to make reproducible test data and mutations. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytesSeeded(size: number, seed: number): Buffer {
  const next = prng(seed);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) {
    const v = Math.floor(next() * 4294967296);
    for (let j = 0; j < 4 && i + j < size; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
  }
  return out;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Yields `data` in pieces of `piece` bytes, like a network body. */
export async function* pieces(data: Buffer, piece = 7919): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += piece) {
    await Promise.resolve();
    yield data.subarray(at, Math.min(at + piece, data.length));
  }
}

/** A source that dies (as a dropped connection would) after `failAfter` bytes. */
export async function* dyingSource(data: Buffer, failAfter: number, piece = 7919): AsyncGenerator<Buffer> {
  for await (const p of pieces(data.subarray(0, failAfter), piece)) yield p;
  throw new Error('connection reset by peer');
}

/** Counts what a consumer pulled from a source. */
export function counting(source: AsyncIterable<Buffer>): {
  source: AsyncIterable<Buffer>;
  pulled: () => number;
} {
  let n = 0;
  return {
    source: (async function* () {
      for await (const p of source) {
        n += p.length;
        yield p;
      }
    })(),
    pulled: () => n,
  };
}

export async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}
