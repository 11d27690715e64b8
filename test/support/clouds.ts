/**
 * The two local clouds the tests move between, and how a process reaches one of them.
 *
 * The first (Zed, Debian 12) answers on 127.0.0.1 of the root network namespace, where the test
 * runner itself runs. The second (2025.1, Debian 13) answers on 127.0.0.1 of its own namespace
 * only, so whatever talks to it is started inside that namespace, and can then reach nothing
 * of the first: "never connected" is the kernel's doing, not the test's.
 */
import { spawn } from 'node:child_process';

export interface LocalCloud {
  /** Short name in test titles. */
  label: string;
  release: string;
  /** Its clouds.yaml (outside the repository, in the cloud's state folder). */
  clouds: string;
  /** The network namespace it answers in; undefined for the root namespace. */
  netns: string | undefined;
  /** Names of its clouds in that clouds.yaml. */
  admin: string;
  src: string;
  dst: string;
  /** What the sample workload uses there, which differs between the two on purpose. */
  externalNetwork: string;
  flavor: string;
  baseImage: string;
  defaultVolumeType: string;
  computeZone: string;
  volumeZone: string;
}

const zedClouds = process.env['OS_CLIENT_CONFIG_FILE'];
const bClouds = process.env['DOWNPOUR_CLOUD_B_CLOUDS'];

/** The first local cloud, when the runner set it up (scripts/test.mjs does). */
export const ZED: LocalCloud | undefined = zedClouds
  ? {
      label: 'Zed',
      release: 'zed',
      clouds: zedClouds,
      netns: undefined,
      admin: 'admin',
      src: 'src',
      dst: 'dst',
      externalNetwork: 'public',
      flavor: 'm1.tiny',
      baseImage: 'dp-base',
      defaultVolumeType: '__DEFAULT__',
      computeZone: 'nova',
      volumeZone: 'nova',
    }
  : undefined;

/** The second local cloud, when the runner set it up. */
export const CLOUD_B: LocalCloud | undefined = bClouds
  ? {
      label: '2025.1',
      release: '2025.1',
      clouds: bClouds,
      netns: process.env['DOWNPOUR_CLOUD_B_NETNS'] || 'downpour-b',
      admin: 'b-admin',
      src: 'b-src',
      dst: 'b-dst',
      externalNetwork: 'ext-net',
      flavor: 'gp.small',
      baseImage: 'base-image',
      defaultVolumeType: 'standard',
      computeZone: 'zone-b1',
      volumeZone: 'vol-b1',
    }
  : undefined;

/** `command args` as run in `netns` (unchanged for the root namespace): root may enter any. */
export function inNetns(netns: string | undefined, command: string, args: string[]): [string, string[]] {
  return netns ? ['nsenter', [`--net=/run/netns/${netns}`, '--', command, ...args]] : [command, args];
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * A child process inside `cloud`'s namespace that sees only `cloud`'s clouds.yaml: what a user
 * on a machine next to that cloud would run.
 */
export function runIn(
  cloud: Pick<LocalCloud, 'clouds' | 'netns'>,
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  const began = Date.now();
  const [cmd, argv] = inNetns(cloud.netns, command, args);
  const env: NodeJS.ProcessEnv = { ...process.env, OS_CLIENT_CONFIG_FILE: cloud.clouds };
  delete env['OS_CLOUD'];
  Object.assign(env, options.env);
  const child = spawn(cmd, argv, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - began }));
  });
}
