import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { cp, mkdtemp, open, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleIntegrityError } from '../../src/core/errors.js';
import { blobPath, openBundle, parseDataManifest, type BundleReader } from '../../src/bundle/index.js';
import { loadGraph } from '../../src/kinds/load.js';
import type { GraphDocument, GraphNode } from '../../src/kinds/model.js';
import { exportBundle } from '../../src/migrate/export.js';
import * as snapshots from '../../src/openstack/block-storage/snapshots/index.js';
import * as volumes from '../../src/openstack/block-storage/volumes/index.js';
import * as servers from '../../src/openstack/compute/servers/index.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import * as images from '../../src/openstack/image/images/index.js';
import { Session } from '../../src/openstack/session/session.js';
import { parseSelection, renderSelection, type Selection } from '../../src/select/selection-file.js';
import { sha256Of } from '../support/hash.js';
import { buildWorkload, deleteWorkload, SHOP_TAG, type Workload } from '../support/workload.js';

const configFile = process.env['OS_CLIENT_CONFIG_FILE'];
if (!configFile) {
  console.warn(
    'export integration tests skipped: OS_CLIENT_CONFIG_FILE is unset (the test runner sets it to the local cloud).',
  );
}

const IMAGE_MIB = 4;
const BIG_MIB = 256;
const MIB = 1024 * 1024;
const BIN = fileURLToPath(new URL('../../bin/downpour.js', import.meta.url));
const wait = { timeoutMs: 300_000, intervalMs: 500, maxIntervalMs: 2_000 };

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `downpour ARGS` as a child process, as a user would run it. */
function start(args: string[], cwd: string) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

const downpour = (args: string[], cwd: string) => start(args, cwd).done;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function filesUnder(dir: string): Promise<{ path: string; dir: boolean }[]> {
  const out: { path: string; dir: boolean }[] = [{ path: dir, dir: true }];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    out.push({ path: join(entry.parentPath, entry.name), dir: entry.isDirectory() });
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The openstack CLI, an independent witness (2-4 s a call): its `-f json` output. */
function openstackCli(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn('openstack', ['--os-cloud', 'src', ...args, '-f', 'json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(text))
        : reject(new Error(`openstack ${args.join(' ')} exited ${code}`)),
    );
  });
}

describe.skipIf(!configFile)('export from tenant src, on the sample workload', () => {
  const prefix = `dp-ex-${randomBytes(4).toString('hex')}`;
  let session: Session;
  let work: string;
  let workload: Workload;
  /** Every bundle this file exported: their temporaries must all be gone from the source. */
  const bundleIds = new Set<string>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    session = await Session.connect(loadCloudConfig({ cloud: 'src' }));
    workload = await buildWorkload(session, { prefix, imageMiB: IMAGE_MIB });
  });

  afterAll(async () => {
    try {
      // By name, so it also removes what a failed build or test left half made.
      if (session) await deleteWorkload(session, prefix);
    } finally {
      await session?.close();
      if (work) await rm(work, { recursive: true, force: true });
    }
  });

  let shop:
    Promise<{ dir: string; reader: BundleReader; graph: GraphDocument; selection: Selection }> | undefined;
  /** The shop bundle, exported once (through the library, with this file's session) and shared. */
  function shopBundle() {
    shop ??= (async () => {
      const selected = await downpour(
        ['select', '--cloud', 'src', '--tag', SHOP_TAG, '-o', 'tagged.yaml'],
        work,
      );
      expect(selected.code, selected.stderr).toBe(0);
      // The file invites editing: on a shared cloud, other users may have servers tagged app=shop too.
      const tagged = parseSelection(await readFile(join(work, 'tagged.yaml'), 'utf8'));
      const ours = [workload.servers.web, workload.servers.db];
      const selection = { ...tagged, resources: tagged.resources.filter((r) => ours.includes(r.id)) };
      await writeFile(join(work, 'shop.yaml'), renderSelection(selection));
      const dir = join(work, 'shop.bundle');
      const report = await exportBundle(session, { selection, bundle: dir });
      bundleIds.add(report.bundleId);
      const reader = await openBundle(dir);
      return { dir, reader, graph: await loadGraph(reader), selection };
    })();
    return shop;
  }

  const isOurTemporary = (name: string | null | undefined) =>
    [...bundleIds].some((id) => name?.startsWith(`downpour-tmp-${id.slice(0, 8)}-`));
  /** Images, volumes and snapshots that one of this file's exports made in the source and left there. */
  async function leftoverTemporaries(): Promise<string[]> {
    return [
      ...(await collect(images.list(session, { owner: session.project.id }))).map((i) => i.name),
      ...(await collect(volumes.list(session))).map((v) => v.name),
      ...(await collect(snapshots.list(session))).map((s) => s.name),
    ].filter((name): name is string => isOurTemporary(name));
  }

  const nodeOf = (graph: GraphDocument, key: string): GraphNode => {
    const node = graph.nodes.find((n) => n.key === key);
    if (!node) throw new Error(`the bundle has no node ${key}`);
    return node;
  };

  it('select --tag app=shop picks exactly the two shop servers; a filter that matches nothing is an error naming it (exit 2)', async () => {
    const run = await downpour(['select', '--cloud', 'src', '--tag', SHOP_TAG, '--json'], work);
    expect(run.code, run.stderr).toBe(0);
    const selection = JSON.parse(run.stdout) as Selection;
    const picked = selection.resources.map((r) => `${r.kind}:${r.id}`).sort();
    // Exactly what the project has under that tag (an independent listing), which holds both shop servers
    // and not the unrelated one; on a shared cloud other users' shop servers may be there too.
    const tagged = await collect(servers.list(session, { tags: [SHOP_TAG] }));
    expect(picked).toEqual(tagged.map((s) => `compute.server:${s.id}`).sort());
    const ours = selection.resources.filter((r) => r.name?.startsWith(`${prefix}-`));
    expect(ours.map((r) => r.id).sort()).toEqual([workload.servers.web, workload.servers.db].sort());
    expect(picked).not.toContain(`compute.server:${workload.other.server}`);

    const typo = `app=${prefix}-nothing`;
    const failed = await downpour(['select', '--cloud', 'src', '--tag', SHOP_TAG, '--tag', typo], work);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`this filter matches nothing in project src: --tag ${typo}`);
    expect(failed.stderr).not.toContain(`--tag ${SHOP_TAG}`);
  });

  it('the export closes over every dependency and nothing else; only the operator’s things must pre-exist', async () => {
    const { reader, graph, selection } = await shopBundle();
    const w = workload;
    const volumeType = (await volumes.get(session, w.volumes.data)).volume_type;
    const web = [
      `compute.server:${w.servers.web}`,
      `network.port:${w.ports.webFront}`,
      `network.port:${w.ports.webBack}`,
      `network.floating-ip:${w.floatingIp}`,
      // The live snapshot of the web server's disk, not the image it booted from.
      `image.image:server-disk:${w.servers.web}`,
      `block-storage.volume:${w.volumes.data}`,
      `compute.server-group:${w.serverGroup}`,
    ];
    const db = [
      `compute.server:${w.servers.db}`,
      `network.port:${w.ports.db}`,
      `block-storage.volume:${w.volumes.boot}`,
    ];
    const shared = [
      `network.network:${w.networks.front}`,
      `network.network:${w.networks.back}`,
      `network.subnet:${w.subnets.front}`,
      `network.subnet:${w.subnets.back}`,
      `network.router:${w.router}`,
      // Both groups and their rule sets: each group's rules reference the other group.
      `network.security-group:${w.securityGroups.web}`,
      `network.security-group:${w.securityGroups.db}`,
      `network.security-group-rules:${w.securityGroups.web}`,
      `network.security-group-rules:${w.securityGroups.db}`,
      `compute.keypair:${w.keypair}`,
    ];
    const mustExist = [
      `compute.flavor:${w.external.flavorName}`,
      `block-storage.volume-type:${volumeType}`,
      `network.network:${w.external.networkId}`,
    ];
    const expected = [...web, ...db, ...shared, ...mustExist].sort();

    expect(graph.nodes.map((n) => n.key).sort()).toEqual(expected);
    expect(
      graph.nodes
        .filter((n) => n.disposition === 'existing')
        .map((n) => n.key)
        .sort(),
    ).toEqual(mustExist.sort());
    expect(
      graph.nodes
        .filter((n) => n.selected)
        .map((n) => n.key)
        .sort(),
    ).toEqual(selection.resources.map((r) => `${r.kind}:${r.id}`).sort());
    // Nothing of the unrelated server, and not the public base image it boots from.
    const keys = graph.nodes.map((n) => n.key).join('\n');
    for (const id of [
      w.other.server,
      w.other.network,
      w.other.subnet,
      w.other.port,
      w.external.baseImageId,
      w.image,
    ]) {
      expect(keys).not.toContain(id);
    }
    // Every edge stays inside the graph, and nothing could not be read.
    const all = new Set(graph.nodes.map((n) => n.key));
    for (const n of graph.nodes)
      for (const d of n.dependsOn) expect(all.has(d), `${n.key} -> ${d}`).toBe(true);
    expect(graph.notes.filter((n) => n.severity === 'warning')).toEqual([]);
    const document = async (key: string) =>
      (await reader.readJson<{ document: Record<string, unknown> }>(nodeOf(graph, key).document)).document;
    expect(nodeOf(graph, `compute.server:${w.servers.web}`).dependsOn).toContain(
      `block-storage.volume:${w.volumes.data}`,
    );
    expect(await document(`compute.server:${w.servers.web}`)).toMatchObject({
      ports: [w.ports.webFront, w.ports.webBack],
      security_groups: [`${prefix}-web`],
      key_name: w.keypair,
      server_group: w.serverGroup,
      tags: [SHOP_TAG],
    });
    expect(nodeOf(graph, `compute.server:${w.servers.db}`).dependsOn).toContain(
      `block-storage.volume:${w.volumes.boot}`,
    );
    expect(await document(`compute.server:${w.servers.db}`)).toMatchObject({
      image: null,
      boot_volume: w.volumes.boot,
      volumes: [expect.objectContaining({ volume_id: w.volumes.boot, boot_index: 0 })],
    });
  });

  it('stores the data with the SHA-256 of the source bytes: the server disk as uploaded, the volume as qcow2 of the image bytes then zeros', async () => {
    const { reader, graph } = await shopBundle();
    const disk = nodeOf(graph, `image.image:server-disk:${workload.servers.web}`);
    expect(disk.data).toBeDefined();
    const read = await sha256Of(await reader.openData(disk.data!));
    expect(read).toEqual({ hex: workload.imageSha256, bytes: workload.imageData.length });
    expect(disk.dataInfo).toMatchObject({
      sha256: workload.imageSha256,
      size: workload.imageData.length,
      captured_from: 'server-snapshot',
    });

    const volumeKeys = [
      `block-storage.volume:${workload.volumes.data}`,
      `block-storage.volume:${workload.volumes.boot}`,
    ];
    for (const key of volumeKeys) {
      const node = nodeOf(graph, key);
      expect(node.dataInfo).toMatchObject({ disk_format: 'qcow2', captured_from: 'volume' });
      const qcow2 = join(work, 'volume.qcow2');
      const raw = join(work, 'volume.raw');
      await pipeline(await reader.openData(node.data!), createWriteStream(qcow2));
      expect(
        createHash('sha256')
          .update(await readFile(qcow2))
          .digest('hex'),
      ).toBe(node.dataInfo?.sha256);
      const converted = await new Promise<number | null>((resolve, reject) => {
        const child = spawn('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, raw], {
          stdio: 'inherit',
        });
        child.on('error', reject);
        child.on('close', resolve);
      });
      expect(converted).toBe(0);
      expect((await stat(raw)).size).toBe(1024 * MIB);
      const head = Buffer.alloc(workload.imageData.length);
      const file = await open(raw);
      try {
        await file.read(head, 0, head.length, 0);
        expect(
          head.equals(workload.imageData),
          `${key}: the first ${IMAGE_MIB} MiB are the image's bytes`,
        ).toBe(true);
        const block = Buffer.alloc(16 * MIB);
        const zeros = Buffer.alloc(block.length);
        for (let at = head.length; at < 1024 * MIB; at += block.length) {
          const { bytesRead } = await file.read(block, 0, block.length, at);
          expect(
            block.subarray(0, bytesRead).equals(zeros.subarray(0, bytesRead)),
            `${key}: zeros after the image, at ${at}`,
          ).toBe(true);
        }
      } finally {
        await file.close();
        await rm(raw, { force: true });
        await rm(qcow2, { force: true });
      }
    }
  });

  it('verify passes, then fails with exit 6 naming a tampered and a truncated chunk, which the reader also refuses', async () => {
    const { dir, reader, graph } = await shopBundle();
    const ok = await downpour(['verify', dir], work);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: \d+ blobs/);

    const disk = nodeOf(graph, `image.image:server-disk:${workload.servers.web}`);
    const volume = nodeOf(graph, `block-storage.volume:${workload.volumes.data}`);
    const firstChunk = async (node: GraphNode) => {
      const manifest = parseDataManifest(
        JSON.parse((await reader.readBlob(node.data!)).toString('utf8')),
        node.data!.digest,
      );
      const chunk = manifest.chunks[0];
      if (!chunk) throw new Error(`${node.key} has no chunk`);
      return chunk;
    };
    const tampered = await firstChunk(disk);
    const truncated = await firstChunk(volume);
    const copy = join(work, 'damaged.bundle');
    await cp(dir, copy, { recursive: true });
    const handle = await open(blobPath(copy, tampered.digest), 'r+');
    try {
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, 1000);
      byte[0] = (byte[0] ?? 0) ^ 0xff;
      await handle.write(byte, 0, 1, 1000);
    } finally {
      await handle.close();
    }
    await truncate(blobPath(copy, truncated.digest), Math.floor(truncated.size / 2));

    const bad = await downpour(['verify', copy], work);
    expect(bad.code).toBe(6);
    expect(bad.stdout).toContain(tampered.digest);
    expect(bad.stdout).toContain(truncated.digest);
    expect(bad.stderr).toMatch(/2 of \d+ blobs are missing or corrupt/);

    const damaged = await openBundle(copy);
    await expect(sha256Of(await damaged.openData(disk.data!))).rejects.toThrow(BundleIntegrityError);
    await expect(sha256Of(await damaged.openData(disk.data!))).rejects.toThrow(
      /chunk 0 of data .* does not match its digest/,
    );
    await expect(sha256Of(await damaged.openData(volume.data!))).rejects.toThrow(
      /chunk 0 of data .* has \d+ bytes, expected/,
    );
    await rm(copy, { recursive: true });
  });

  it('pack writes one .tar that inspect and verify read in place', async () => {
    const { dir, reader, graph } = await shopBundle();
    const tar = join(work, 'shop.tar');
    const packed = await downpour(['pack', dir, '-o', tar], work);
    expect(packed.code, packed.stderr).toBe(0);
    expect((await stat(tar)).mode & 0o777).toBe(0o600);

    const inspected = await downpour(['inspect', tar, '--json'], work);
    expect(inspected.code, inspected.stderr).toBe(0);
    const fromTar = JSON.parse(inspected.stdout) as GraphDocument & { bundleId: string };
    expect(fromTar.bundleId).toBe(reader.index().bundleId);
    expect(fromTar.nodes.map((n) => n.key)).toEqual(graph.nodes.map((n) => n.key));
    const verified = await downpour(['verify', tar], work);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^ok: /);

    const disk = nodeOf(graph, `image.image:server-disk:${workload.servers.web}`);
    const inTar = await openBundle(tar);
    expect((await sha256Of(await inTar.openData(disk.data!))).hex).toBe(workload.imageSha256);
  });

  it('resumes an export killed with SIGKILL mid-transfer without downloading the committed chunks again', async () => {
    // 256 MiB of random bytes, uploaded from a file so that neither side holds them in memory.
    const source = join(work, 'big.raw');
    const hash = createHash('sha256');
    const out = createWriteStream(source);
    for (let i = 0; i < BIG_MIB; i++) {
      const block = randomBytes(MIB);
      hash.update(block);
      if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    const bigSha256 = hash.digest('hex');
    const size = BIG_MIB * MIB;
    const image = await images.create(session, {
      name: `${prefix}-big`,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
    });
    await images.upload(
      session,
      image.id,
      { open: () => createReadStream(source), length: size, replayable: true },
      { size },
    );
    await images.waitForImageStatus(session, image.id, 'active', wait);
    await rm(source);

    const selected = await downpour(
      ['select', '--cloud', 'src', '--image', `${prefix}-big`, '-o', 'big.yaml'],
      work,
    );
    expect(selected.code, selected.stderr).toBe(0);
    const bundle = join(work, 'big.bundle');
    const args = ['export', 'big.yaml', '--cloud', 'src', '-o', bundle, '--json'];

    const first = start(args, work);
    let committed = 0;
    const deadline = Date.now() + 120_000;
    while (committed === 0 && first.child.exitCode === null && Date.now() < deadline) {
      await sleep(5);
      const ingest = join(bundle, 'ingest');
      for (const entry of await readdir(ingest).catch(() => [] as string[])) {
        const progress = await readFile(join(ingest, entry, 'progress.json'), 'utf8').catch(() => undefined);
        if (!progress) continue;
        const chunks = (JSON.parse(progress) as { chunks: { size: number }[] }).chunks;
        committed = chunks.reduce((sum, c) => sum + c.size, 0);
      }
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal, 'the export ended before it could be killed mid-transfer').toBe('SIGKILL');
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(size);

    const second = await downpour(args, work);
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout) as {
      bundleId: string;
      downloadedBytes: number;
      dataBytes: number;
    };
    bundleIds.add(report.bundleId);
    expect(report.dataBytes).toBe(size);
    expect(report.downloadedBytes).toBeLessThanOrEqual(size - committed);

    const reader = await openBundle(bundle);
    const node = nodeOf(await loadGraph(reader), `image.image:${image.id}`);
    expect(node.dataInfo?.sha256).toBe(bigSha256);
    expect(await sha256Of(await reader.openData(node.data!))).toEqual({ hex: bigSha256, bytes: size });
    await images.remove(session, image.id);

    // No temporary of any bundle this file exported is left in the source.
    await shopBundle();
    expect(await leftoverTemporaries()).toEqual([]);
    // The openstack CLI as an independent witness, once.
    const listed = ((await openstackCli(['image', 'list'])) as { Name: string }[]).map((i) => i.Name);
    expect(listed).toContain(`${prefix}-image`);
    expect(listed.filter(isOurTemporary)).toEqual([]);
  });

  it('a second export of the unchanged selection into the same bundle (capture image) transfers no data', async () => {
    await shopBundle();
    const bundle = join(work, 'again.bundle');
    const args = ['export', 'shop.yaml', '--cloud', 'src', '-o', bundle, '--capture', 'image', '--json'];
    const first = await downpour(args, work);
    expect(first.code, first.stderr).toBe(0);
    const before = JSON.parse(first.stdout) as {
      bundleId: string;
      downloadedBytes: number;
      dataBytes: number;
    };
    bundleIds.add(before.bundleId);
    expect(before.downloadedBytes).toBeGreaterThan(0);

    const second = await downpour(args, work);
    expect(second.code, second.stderr).toBe(0);
    const after = JSON.parse(second.stdout) as {
      bundleId: string;
      downloadedBytes: number;
      reusedBytes: number;
      dataBytes: number;
    };
    expect(after.bundleId).toBe(before.bundleId);
    expect(after.dataBytes).toBe(before.dataBytes);
    expect(after.downloadedBytes).toBe(0);
    expect(after.reusedBytes).toBe(after.dataBytes);
    // In capture mode "image" the web server needs the image it booted from, not a snapshot.
    const graph = await loadGraph(await openBundle(bundle));
    expect(graph.nodes.map((n) => n.key)).toContain(`image.image:${workload.image}`);
    expect(graph.nodes.map((n) => n.key)).not.toContain(`image.image:server-disk:${workload.servers.web}`);
  });

  it('capture mode stop shuts the server off for its snapshot and starts it again', async () => {
    const selected = await downpour(
      ['select', '--cloud', 'src', '--server', `${prefix}-web`, '--capture', 'stop', '-o', 'web.yaml'],
      work,
    );
    expect(selected.code, selected.stderr).toBe(0);
    const bundle = join(work, 'stop.bundle');
    const run = await downpour(['export', 'web.yaml', '--cloud', 'src', '-o', bundle, '--json'], work);
    expect(run.code, run.stderr).toBe(0);
    bundleIds.add((JSON.parse(run.stdout) as { bundleId: string }).bundleId);

    const reader = await openBundle(bundle);
    const graph = await loadGraph(reader);
    expect(graph.options.capture).toBe('stop');
    const disk = nodeOf(graph, `image.image:server-disk:${workload.servers.web}`);
    expect((await sha256Of(await reader.openData(disk.data!))).hex).toBe(workload.imageSha256);
    const server = await servers.get(session, workload.servers.web);
    expect([server.status, server['OS-EXT-STS:task_state'] ?? null]).toEqual(['ACTIVE', null]);
    // Nova's own record of what happened to the server, newest first.
    const events = (
      (await openstackCli(['server', 'event', 'list', workload.servers.web])) as { Action: string }[]
    ).map((e) => e.Action);
    expect(events.slice(0, 3)).toEqual(['start', 'createImage', 'stop']);
    expect(await leftoverTemporaries()).toEqual([]);
  });

  it('writes no secret into the bundle, and keeps it private: files 0600, directories 0700', async () => {
    const { dir } = await shopBundle();
    const password = loadCloudConfig({ cloud: 'src' }).auth.password;
    expect(password).toBeTruthy();
    const token = (await session.token()).token;
    const needles = [password as string, token, 'gAAAAA'].map((s) => Buffer.from(s));
    const bundles = [dir, join(work, 'again.bundle'), join(work, 'big.bundle'), join(work, 'stop.bundle')];
    let scanned = 0;
    for (const bundle of bundles) {
      for (const entry of await filesUnder(bundle).catch(() => [])) {
        const mode = (await stat(entry.path)).mode & 0o777;
        expect(mode, entry.path).toBe(entry.dir ? 0o700 : 0o600);
        if (entry.dir) continue;
        const bytes = readFileSync(entry.path);
        for (const needle of needles)
          expect(bytes.includes(needle), `${entry.path} holds a secret`).toBe(false);
        scanned++;
      }
    }
    expect(scanned).toBeGreaterThan(10);
  });
});
