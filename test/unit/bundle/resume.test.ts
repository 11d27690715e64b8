import { createHash } from 'node:crypto';
import { stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InterruptedError, UsageError } from '../../../src/core/errors.js';
import { blobPath, BundleWriter, MediaType, openBundle, verifyBundle } from '../../../src/bundle/index.js';
import { flipByte } from './damage.js';
import { counting, dyingSource, pieces, randomBytesSeeded, sha256, tempDir } from './helpers.js';

const CHUNK = 64 * 1024;
/** 4.5 chunks, so the stream ends with a short chunk. */
const DATA = randomBytesSeeded(CHUNK * 4 + CHUNK / 2, 42);

async function uninterrupted() {
  const writer = await BundleWriter.open(join(await tempDir(), 'ref.bundle'));
  return writer.putData(pieces(DATA), { key: 'image-1', chunkSize: CHUNK });
}

describe('resumable data writes', () => {
  it('resumes a write killed mid-chunk from the last committed chunk, with the same manifest and sha256', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const killed = await BundleWriter.open(dir);
    // Dies 2.5 chunks in: two chunks committed, half of the third in its partial file.
    const failAt = CHUNK * 2 + CHUNK / 2;
    await expect(
      killed.putData(dyingSource(DATA, failAt), { key: 'image-1', chunkSize: CHUNK }),
    ).rejects.toThrow('connection reset');

    // A new process: a new writer over the same directory.
    const writer = await BundleWriter.open(dir);
    expect(writer.bundleId).toBe(killed.bundleId);
    const point = await writer.dataResumePoint('image-1');
    expect(point.offset).toBe(CHUNK * 2);
    expect(point.chunks).toHaveLength(2);
    const committedInodes = await Promise.all(
      point.chunks.map(async (c) => (await stat(blobPath(dir, c.digest))).ino),
    );

    const rest = counting(pieces(DATA.subarray(point.offset)));
    const resumed = await writer.putData(rest.source, { key: 'image-1', resume: point });
    expect(rest.pulled()).toBe(DATA.length - CHUNK * 2);

    const reference = await uninterrupted();
    expect(resumed.descriptor).toEqual(reference.descriptor);
    expect(resumed.manifest).toEqual(reference.manifest);
    expect(resumed.manifest.sha256).toBe(sha256(DATA));
    // The committed chunks were re-read from disk, not rewritten.
    for (const [i, c] of point.chunks.entries())
      expect((await stat(blobPath(dir, c.digest))).ino).toBe(committedInodes[i]);
  });

  it('resumes after an abort signal and reports the interruption as InterruptedError (exit 130)', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const writer = await BundleWriter.open(dir);
    const controller = new AbortController();
    const attempt = writer.putData(pieces(DATA), {
      key: 'image-1',
      chunkSize: CHUNK,
      signal: controller.signal,
      onProgress: ({ bytes }) => {
        if (bytes > CHUNK * 3 + 1000) controller.abort();
      },
    });
    const err = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as InterruptedError).exitCode).toBe(130);

    const point = await writer.dataResumePoint('image-1');
    expect(point.offset).toBe(CHUNK * 3);
    const resumed = await writer.putData(pieces(DATA.subarray(point.offset)), {
      key: 'image-1',
      resume: point,
    });
    expect(resumed.descriptor).toEqual((await uninterrupted()).descriptor);
  });

  it('stops at once when aborted while the source is stalled, keeping the committed chunks', async () => {
    const writer = await BundleWriter.open(join(await tempDir(), 'b.bundle'));
    const controller = new AbortController();
    // A download that sends a chunk and a bit, then never another byte.
    const stalled = new Readable({ read: () => undefined });
    stalled.push(DATA.subarray(0, CHUNK + 10));
    const attempt = writer.putData(stalled, { key: 'k', chunkSize: CHUNK, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(attempt).rejects.toBeInstanceOf(InterruptedError);
    expect((await writer.dataResumePoint('k')).offset).toBe(CHUNK);
    await expect(writer.putData(pieces(DATA), { key: 'k', chunkSize: CHUNK })).resolves.toBeDefined();
    expect(stalled.destroyed).toBe(true);
  });

  it('rebuilds the whole-stream hash from disk when the resume point came from another writer', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    await expect(
      (await BundleWriter.open(dir)).putData(dyingSource(DATA, CHUNK * 3 + 5), {
        key: 'k',
        chunkSize: CHUNK,
      }),
    ).rejects.toThrow();
    const point = await (await BundleWriter.open(dir)).dataResumePoint('k');
    const resumed = await (
      await BundleWriter.open(dir)
    ).putData(pieces(DATA.subarray(point.offset)), { key: 'k', resume: point });
    expect(resumed.manifest.sha256).toBe(sha256(DATA));
  });

  it('drops a truncated or tampered committed chunk, and every chunk after it, from the resume point', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const writer = await BundleWriter.open(dir);
    await expect(
      writer.putData(dyingSource(DATA, CHUNK * 4 + 10), { key: 'k', chunkSize: CHUNK }),
    ).rejects.toThrow();
    const full = await writer.dataResumePoint('k');
    expect(full.chunks).toHaveLength(4);

    await flipByte(blobPath(dir, full.chunks[2]!.digest), 100);
    expect((await writer.dataResumePoint('k')).offset).toBe(CHUNK * 2);

    await truncate(blobPath(dir, full.chunks[1]!.digest), CHUNK - 1);
    const point = await writer.dataResumePoint('k');
    expect(point.offset).toBe(CHUNK);
    expect(point.chunks).toEqual(full.chunks.slice(0, 1));

    const resumed = await writer.putData(pieces(DATA.subarray(point.offset)), { key: 'k', resume: point });
    expect(resumed.descriptor).toEqual((await uninterrupted()).descriptor);
    // The damaged blobs were replaced by intact ones on the way.
    const root = await writer.putJson(MediaType.graph, { data: resumed.descriptor });
    await writer.commit(root);
    expect((await verifyBundle(await openBundle(dir))).problems).toEqual([]);
  });

  it('rewrites a short last chunk unless the stream is known to have ended there', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const writer = await BundleWriter.open(dir);
    // The source ended early without an error (e.g. a proxy closed cleanly): progress holds a short chunk.
    await expect(
      writer.putData(pieces(DATA.subarray(0, CHUNK * 2 + 10)), {
        key: 'k',
        chunkSize: CHUNK,
        expectedSize: DATA.length,
      }),
    ).rejects.toMatchObject({ code: 'E_BUNDLE_INTEGRITY' });
    const point = await writer.dataResumePoint('k');
    expect(point.offset).toBe(CHUNK * 2);
    expect(point.complete).toBeUndefined();
  });

  it('reports a finished but uncommitted write as complete, so the source is not read again', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const done = await (await BundleWriter.open(dir)).putData(pieces(DATA), { key: 'k', chunkSize: CHUNK });
    const writer = await BundleWriter.open(dir);
    const point = await writer.dataResumePoint('k');
    expect(point.complete).toEqual(done.descriptor);
    expect(point.offset).toBe(DATA.length);
    const nothing = counting(pieces(Buffer.alloc(0)));
    expect(await writer.putData(nothing.source, { key: 'k', resume: point })).toEqual(done);
  });

  it('hashes the whole stream with an extra algorithm on the way, the part written before the kill included', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    await expect(
      (await BundleWriter.open(dir)).putData(dyingSource(DATA, CHUNK * 2 + 100), {
        key: 'k',
        chunkSize: CHUNK,
        alsoHash: ['sha512'],
      }),
    ).rejects.toThrow('connection reset');
    const writer = await BundleWriter.open(dir);
    const point = await writer.dataResumePoint('k');
    expect(point.offset).toBe(CHUNK * 2);
    const seen: Record<string, string>[] = [];
    const resumed = await writer.putData(pieces(DATA.subarray(point.offset)), {
      key: 'k',
      resume: point,
      alsoHash: ['sha512'],
      check: (digests) => void seen.push({ ...digests }),
    });
    const sha512 = createHash('sha512').update(DATA).digest('hex');
    expect(resumed.digests).toEqual({ sha256: sha256(DATA), sha512 });
    expect(seen).toEqual([{ sha256: sha256(DATA), sha512 }]);
  });

  it('forgets the progress of data its check refuses, so the next run reads the source from the start', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const writer = await BundleWriter.open(dir);
    await expect(
      writer.putData(pieces(DATA), {
        key: 'k',
        chunkSize: CHUNK,
        alsoHash: ['md5'],
        check: () => {
          throw new Error('not what the source has');
        },
      }),
    ).rejects.toThrow('not what the source has');
    expect(await writer.dataResumePoint('k')).toMatchObject({ offset: 0, chunks: [] });
  });

  it('refuses an extra hash algorithm this Node does not have before reading anything', async () => {
    const writer = await BundleWriter.open(join(await tempDir(), 'b.bundle'));
    const source = counting(pieces(DATA));
    await expect(
      writer.putData(source.source, { key: 'k', chunkSize: CHUNK, alsoHash: ['no-such-hash'] }),
    ).rejects.toBeInstanceOf(UsageError);
    expect(source.pulled()).toBe(0);
  });

  it('starts from zero when there is no progress for the key', async () => {
    const writer = await BundleWriter.open(join(await tempDir(), 'b.bundle'));
    expect(await writer.dataResumePoint('never-seen')).toMatchObject({ offset: 0, chunks: [] });
  });
});
