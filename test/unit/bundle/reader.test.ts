import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BundleFormatError,
  BundleIntegrityError,
  DownpourError,
  UsageError,
} from '../../../src/core/errors.js';
import { BundleWriter, MediaType, openBundle, packBundle, verifyBundle } from '../../../src/bundle/index.js';
import { encodeTarHeader, TAR_END, tarPadding } from '../../../src/bundle/tar.js';
import { collect, pieces, randomBytesSeeded, sha256, tempDir } from './helpers.js';

interface RawEntry {
  name: string;
  data?: Buffer;
  /** Overrides the type flag written by encodeTarHeader ('0'), to forge links and devices. */
  typeflag?: string;
}

/** A tar built by hand, so tests can forge what `downpour pack` would never write. */
function rawTar(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const { name, data = Buffer.alloc(0), typeflag } of entries) {
    const header = encodeTarHeader(name, data.length, 'file', 0o600);
    if (typeflag !== undefined) {
      header.write(typeflag, 156, 1, 'latin1');
      header.fill(0x20, 148, 156);
      let sum = 0;
      for (const byte of header) sum += byte;
      header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
    }
    parts.push(header, data, tarPadding(data.length));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

async function committedBundle(root: string) {
  const dir = join(root, 'ok.bundle');
  const writer = await BundleWriter.open(dir);
  const data = randomBytesSeeded(20_000, 7);
  const { descriptor } = await writer.putData(pieces(data), { key: 'd', chunkSize: 8192 });
  const graph = await writer.putJson(MediaType.graph, { data: descriptor });
  await writer.commit(graph);
  return { dir, data, descriptor, graph };
}

async function rejection(promise: Promise<unknown>): Promise<DownpourError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DownpourError);
  return err as DownpourError;
}

const hasTar = (() => {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('bundle readers', () => {
  it('refuses a bundle of an unknown format version, saying which it found and which it reads', async () => {
    const { dir } = await committedBundle(await tempDir());
    await writeFile(join(dir, 'downpour-bundle.json'), '{"format":"downpour-bundle","version":2}');
    const err = await rejection(openBundle(dir));
    expect(err).toBeInstanceOf(BundleFormatError);
    expect(err.exitCode).toBe(6);
    expect(err.message).toMatch(/version 2.*version 1/);
    expect(err.hint).toMatch(/Upgrade Downpour/);
  });

  it('refuses a directory without a format marker as not a Downpour bundle', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'x'));
    const err = await rejection(openBundle(join(root, 'x')));
    expect(err).toBeInstanceOf(BundleFormatError);
    expect(err.message).toMatch(/not a Downpour bundle/);
  });

  it('refuses a bundle whose export never committed, and says to run it again', async () => {
    const dir = join(await tempDir(), 'b.bundle');
    const writer = await BundleWriter.open(dir);
    await writer.putJson(MediaType.graph, {});
    const err = await rejection(openBundle(dir));
    expect(err).toBeInstanceOf(BundleIntegrityError);
    expect(err.message).toMatch(/never committed/);
    expect(err.hint).toMatch(/same export again/);
  });

  it('refuses malformed index.json with an integrity error', async () => {
    const { dir } = await committedBundle(await tempDir());
    for (const text of [
      '{"schemaVersion":1',
      '[]',
      '{"schemaVersion":1,"bundleId":"x","createdAt":"a","updatedAt":"b"}',
    ]) {
      await writeFile(join(dir, 'index.json'), text);
      expect(await rejection(openBundle(dir))).toBeInstanceOf(BundleIntegrityError);
    }
  });

  it('refuses a missing path as a usage error', async () => {
    expect(await rejection(openBundle(join(await tempDir(), 'nope')))).toBeInstanceOf(UsageError);
  });

  it('refuses a .tar with a ../ path or an absolute path', async () => {
    const root = await tempDir();
    for (const name of ['../evil', 'blobs/../../evil', '/etc/passwd']) {
      await writeFile(
        join(root, 'bad.tar'),
        rawTar([{ name: 'downpour-bundle.json', data: Buffer.from('{}') }, { name }]),
      );
      const err = await rejection(openBundle(join(root, 'bad.tar')));
      expect(err).toBeInstanceOf(BundleIntegrityError);
      expect(err.message).toMatch(/"\.\."|absolute/);
    }
  });

  it('refuses a .tar holding a symlink, a hard link or a device', async () => {
    const root = await tempDir();
    for (const typeflag of ['1', '2', '3', '4', '6', 'L']) {
      await writeFile(join(root, 'bad.tar'), rawTar([{ name: 'index.json', typeflag }]));
      const err = await rejection(openBundle(join(root, 'bad.tar')));
      expect(err).toBeInstanceOf(BundleIntegrityError);
      expect(err.message).toMatch(/refusing/);
    }
  });

  it('refuses a truncated .tar wherever it was cut', async () => {
    const root = await tempDir();
    const { dir } = await committedBundle(root);
    const tar = join(root, 'ok.tar');
    await packBundle(dir, tar);
    const whole = await readFile(tar);
    for (const size of [100, 512, 700, whole.length - 1024, whole.length - 1536, whole.length - 1]) {
      await writeFile(join(root, 'cut.tar'), whole.subarray(0, size));
      const err = await rejection(openBundle(join(root, 'cut.tar')));
      expect(err).toBeInstanceOf(BundleIntegrityError);
      expect(err.message).toMatch(/truncated/);
    }
  });

  it('refuses a .tar header whose checksum does not match', async () => {
    const root = await tempDir();
    const tar = rawTar([{ name: 'downpour-bundle.json', data: Buffer.from('{}') }]);
    tar[3] = 0x41;
    await writeFile(join(root, 'bad.tar'), tar);
    expect((await rejection(openBundle(join(root, 'bad.tar')))).message).toMatch(/checksum/);
  });

  it('packs the same bundle to identical bytes every time', async () => {
    const root = await tempDir();
    const { dir } = await committedBundle(root);
    await packBundle(dir, join(root, 'a.tar'));
    await packBundle(dir, join(root, 'b.tar'));
    expect(sha256(await readFile(join(root, 'a.tar')))).toBe(sha256(await readFile(join(root, 'b.tar'))));
    await expect(stat(join(root, 'a.tar.partial'))).rejects.toThrow();
  });

  it('refuses to pack a bundle that never committed', async () => {
    const root = await tempDir();
    await (await BundleWriter.open(join(root, 'b.bundle'))).putJson(MediaType.graph, {});
    await expect(packBundle(join(root, 'b.bundle'), join(root, 'b.tar'))).rejects.toBeInstanceOf(
      BundleIntegrityError,
    );
    await expect(stat(join(root, 'b.tar'))).rejects.toThrow();
  });

  it('fails openData with an integrity error naming the damaged chunk', async () => {
    const root = await tempDir();
    const { dir, descriptor } = await committedBundle(root);
    const reader = await openBundle(dir);
    const manifest = await reader.readDataManifest(descriptor);
    const chunk = manifest.chunks[1]!;
    await writeFile(join(dir, 'blobs', 'sha256', chunk.digest.slice(7)), randomBytesSeeded(chunk.size, 99));
    const err = await rejection(collect(await reader.openData(descriptor)));
    expect(err).toBeInstanceOf(BundleIntegrityError);
    expect(err.message).toContain(`chunk 1 of data ${descriptor.digest}`);
    expect(err.details).toMatchObject({ digest: chunk.digest, problem: 'digest' });
  });

  it('never passes on the last byte of a damaged chunk, so a counted upload cannot complete', async () => {
    const root = await tempDir();
    const { dir, descriptor } = await committedBundle(root);
    const reader = await openBundle(dir);
    const manifest = await reader.readDataManifest(descriptor);
    const last = manifest.chunks[manifest.chunks.length - 1]!;
    const path = join(dir, 'blobs', 'sha256', last.digest.slice(7));
    const bytes = await readFile(path);
    bytes[bytes.length - 1]! ^= 0xff;
    await writeFile(path, bytes);
    let received = 0;
    const stream = await reader.openData(descriptor);
    const err = await rejection(
      (async () => {
        for await (const piece of stream) received += (piece as Buffer).length;
      })(),
    );
    expect(err).toBeInstanceOf(BundleIntegrityError);
    expect(received).toBeLessThan(manifest.size);
  });

  it.skipIf(!hasTar)('writes archives that system tar lists and extracts to the same bundle', async () => {
    const root = await tempDir();
    const { dir, data, descriptor } = await committedBundle(root);
    await packBundle(dir, join(root, 'b.tar'));
    const listing = execFileSync('tar', ['-tvf', join(root, 'b.tar')], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rw------- .*downpour-bundle\.json$/m);
    expect(listing).toMatch(/^drwx------ .*blobs\/sha256\/$/m);
    await mkdir(join(root, 'out'));
    execFileSync('tar', ['-xf', join(root, 'b.tar'), '-C', join(root, 'out')]);
    const reader = await openBundle(join(root, 'out'));
    expect((await collect(await reader.openData(descriptor))).equals(data)).toBe(true);
  });

  it.skipIf(!hasTar)(
    'reads a bundle that someone archived with system tar, wrapped in its folder or not',
    async () => {
      const root = await tempDir();
      const { dir, data, descriptor } = await committedBundle(root);
      execFileSync('tar', ['-cf', join(root, 'flat.tar'), '-C', dir, '.']);
      execFileSync('tar', ['-cf', join(root, 'wrapped.tar'), '-C', root, 'ok.bundle']);
      await rm(dir, { recursive: true });
      for (const tar of ['flat.tar', 'wrapped.tar']) {
        const reader = await openBundle(join(root, tar));
        expect((await collect(await reader.openData(descriptor))).equals(data)).toBe(true);
        expect((await verifyBundle(reader)).problems).toEqual([]);
      }
    },
  );
});
