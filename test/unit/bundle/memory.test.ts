import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BundleWriter } from '../../../src/bundle/index.js';
import { randomBytesSeeded, tempDir } from './helpers.js';

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;
const PIECE = 64 * 1024;

/**
 * 256 MiB generated on the fly (never held, never on disk twice), in fresh 64 KiB buffers like a
 * network body. Each piece is stamped with its index so no two chunks dedupe.
 */
function generated(hash: ReturnType<typeof createHash>): Readable {
  const base = randomBytesSeeded(PIECE, 256);
  return Readable.from(
    (function* () {
      for (let i = 0; i < TOTAL / PIECE; i++) {
        const piece = Buffer.allocUnsafe(PIECE);
        base.copy(piece);
        piece.writeUInt32BE(i, 0);
        hash.update(piece);
        yield piece;
      }
    })(),
  );
}

describe('memory', () => {
  it('writes a 256 MiB stream with resident memory growing by a fixed amount, far below the stream', async () => {
    const writer = await BundleWriter.open(join(await tempDir(), 'big.bundle'));
    const expected = createHash('sha256');
    const before = process.memoryUsage().rss;
    let peak = before;
    const { manifest } = await writer.putData(generated(expected), {
      key: 'big',
      chunkSize: 8 * MiB,
      onProgress: () => {
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    const growth = peak - before;
    if (process.env.DOWNPOUR_REPORT_MEMORY)
      console.log(`rss growth writing 256 MiB: ${(growth / MiB).toFixed(1)} MiB`);
    expect(manifest.size).toBe(TOTAL);
    expect(manifest.chunks).toHaveLength(32);
    expect(manifest.sha256).toBe(expected.digest('hex'));
    // A sanity check, not a benchmark: buffering the stream would blow well past this. The fixed
    // part is the pipeline's 8 MiB ring and its two hash threads (about 10 MiB each), the rest
    // is garbage the collector has not taken back yet.
    expect(growth).toBeLessThan(96 * MiB);
  }, 60_000);
});
