/**
 * What the reliability tests share: running the CLI as a user does, and the summary each test
 * file leaves for `npm run test:reliability` to print (scripts/reliability-table.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as volumes from '../../src/openstack/block-storage/volumes/index.js';
import * as flavors from '../../src/openstack/compute/flavors/index.js';
import * as keypairs from '../../src/openstack/compute/keypairs/index.js';
import * as serverGroups from '../../src/openstack/compute/server-groups/index.js';
import * as servers from '../../src/openstack/compute/servers/index.js';
import { bufferBody } from '../../src/openstack/http/client.js';
import * as images from '../../src/openstack/image/images/index.js';
import * as networks from '../../src/openstack/network/networks/index.js';
import * as ports from '../../src/openstack/network/ports/index.js';
import * as routers from '../../src/openstack/network/routers/index.js';
import * as securityGroups from '../../src/openstack/network/security-groups/index.js';
import * as subnets from '../../src/openstack/network/subnets/index.js';
import type { Session } from '../../src/openstack/session/session.js';
import { deleteWorkload } from '../support/workload.js';

export const configFile = process.env['OS_CLIENT_CONFIG_FILE'];
export const BIN = fileURLToPath(new URL('../../bin/downpour.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SUMMARY_DIR = join(ROOT, '.downpour-test', 'reliability');

export interface Run {
  args: string[];
  code: number | null;
  /** The signal that ended the process, if one did (a kill test's SIGKILL). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `node bin/downpour.js ARGS` as a child process, and its end (a proxy in this process must keep serving). */
export function startDownpour(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): { child: ChildProcess; done: Promise<Run> } {
  const began = Date.now();
  const env = { ...process.env, ...(options.env ?? {}) };
  delete env['OS_CLOUD'];
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ args, code, signal, stdout, stderr, ms: Date.now() - began }),
    );
  });
  return { child, done };
}

/** `node bin/downpour.js ARGS`, run to its end. */
export function downpour(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<Run> {
  return startDownpour(args, options).done;
}

/** A short account of a run for assertion messages. */
export function explain(run: Run): string {
  const tail = (s: string) => (s.length > 4000 ? `…${s.slice(-4000)}` : s);
  return `downpour ${run.args.join(' ')} exited ${run.code ?? run.signal}\n--- stderr\n${tail(run.stderr)}${unfinished(run.stdout)}\n--- stdout\n${tail(run.stdout)}`;
}

/** From a `--json` import or destroy report, the resources that did not end well, whole: the tail may cut them. */
function unfinished(stdout: string): string {
  try {
    const report = JSON.parse(stdout) as { nodes?: { status?: string }[] };
    const open = (report.nodes ?? []).filter(
      (n) =>
        !['created', 'adopted', 'mapped', 'reused', 'merged', 'deleted', 'kept'].includes(n.status ?? ''),
    );
    return open.length ? `\n--- not finished\n${JSON.stringify(open, null, 1)}` : '';
  } catch {
    return '';
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

export interface FaultRow {
  phase: string;
  kind: string;
  injected: number;
  /** The phase ended with the same result as a clean run. */
  survived: boolean;
}

export interface BadInputRow {
  input: string;
  expectedExit: number;
  exit: number | null;
  /** Right exit code, a message with a hint, no stack trace, nothing created. */
  clean: boolean;
}

export interface SecretsRow {
  scannedFiles: number;
  scannedBytes: number;
  commands: number;
  secretsLookedFor: number;
  found: string[];
}

export interface KillRow {
  command: 'export' | 'import';
  /** The moment of the kill, in words. */
  moment: string;
  /** The process died of SIGKILL while held at that moment (it did not finish first). */
  killed: boolean;
  /** The same command, run again, finished, and every check after it held. */
  passed: boolean;
  /** Seconds of the run that was killed, and of the rerun. */
  killedAfter?: number;
  rerunSeconds?: number;
  /** What went wrong, when it did. */
  failure?: string;
}

export interface ReliabilitySummary {
  faults?: FaultRow[];
  kills?: KillRow[];
  badInputs?: BadInputRow[];
  secrets?: SecretsRow;
  tls?: { case: string; ok: boolean }[];
}

/** Leave this file's part of the table; written once per test file, in afterAll. */
export function writeSummary(name: string, summary: ReliabilitySummary): void {
  mkdirSync(SUMMARY_DIR, { recursive: true });
  writeFileSync(join(SUMMARY_DIR, `${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
}

/** Kinds with names, and how to list them: the witness of what a tenant holds. */
export const NAMED_KINDS: Record<string, (s: Session) => AsyncIterable<{ name?: string | null }>> = {
  'compute.server': (s) => servers.list(s),
  'compute.keypair': (s) => keypairs.list(s),
  'compute.server-group': (s) => serverGroups.list(s),
  'network.network': (s) => networks.list(s),
  'network.subnet': (s) => subnets.list(s),
  'network.port': (s) => ports.list(s),
  'network.router': (s) => routers.list(s),
  'network.security-group': (s) => securityGroups.list(s),
  'block-storage.volume': (s) => volumes.list(s),
  'image.image': (s) => images.list(s, { owner: s.project.id }),
};

/** Names starting with `<prefix>-` in the project, by kind (kinds with none left out). */
export async function namesWithPrefix(session: Session, prefix: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [kind, list] of Object.entries(NAMED_KINDS)) {
    const names = (await collect(list(session)))
      .map((o) => o.name ?? '')
      .filter((n) => n.startsWith(`${prefix}-`))
      .sort();
    if (names.length) out[kind] = names;
  }
  return out;
}

/**
 * A small workload that exports in seconds (no snapshots, no volumes): a server booted from the
 * public dp-base image (exported with capture mode "image", so the image must pre-exist), its
 * network, subnet and a router with a gateway on "public", and a 1 MiB private image.
 */
export interface SmallWorkload {
  prefix: string;
  server: string;
  image: string;
  imageSha256: string;
  cleanup(): Promise<void>;
}

export async function buildSmallWorkload(session: Session, prefix: string): Promise<SmallWorkload> {
  const name = (what: string) => `${prefix}-${what}`;
  const wait = { timeoutMs: 300_000, intervalMs: 500, maxIntervalMs: 2_000 };
  try {
    const pub = (await collect(networks.list(session, { name: 'public', 'router:external': true })))[0];
    const flavor = (await collect(flavors.list(session))).find((f) => f.name === 'm1.tiny');
    const base = (await collect(images.list(session, { name: 'dp-base' })))[0];
    if (!pub || !flavor || !base) throw new Error('the local cloud lacks public, m1.tiny or dp-base');
    const data = randomBytes(1024 * 1024);
    const image = await images.create(session, {
      name: name('img'),
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
    });
    await images.upload(session, image.id, bufferBody(data), { size: data.length });
    const net = await networks.create(session, { name: name('net') });
    const subnet = await subnets.create(session, {
      network_id: net.id,
      name: name('subnet'),
      ip_version: 4,
      cidr: '10.62.1.0/24',
    });
    const router = await routers.create(session, {
      name: name('router'),
      external_gateway_info: { network_id: pub.id },
    });
    await routers.addInterface(session, router.id, { subnet_id: subnet.id });
    const server = await servers.create(session, {
      name: name('vm'),
      flavorRef: flavor.id,
      imageRef: base.id,
      networks: [{ uuid: net.id }],
    });
    await images.waitForImageStatus(session, image.id, 'active', wait);
    await servers.waitForServerStatus(session, server.id, 'ACTIVE', wait);
    return {
      prefix,
      server: server.id,
      image: image.id,
      imageSha256: createHash('sha256').update(data).digest('hex'),
      cleanup: () => deleteWorkload(session, prefix),
    };
  } catch (err) {
    await deleteWorkload(session, prefix).catch(() => undefined);
    throw err;
  }
}
