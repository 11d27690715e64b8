/**
 * The clouds the bench works in. By default two throwaway projects made through the `admin`
 * cloud (quotas sized for the 20-server graph; nobody else's tests share them), named `src` and
 * `dst` in the bench's own clouds.yaml, so every command line reads `--cloud src` and
 * `--cloud dst` exactly as a user's would. With `--shared-projects` the clouds.yaml's own `src`
 * and `dst` tenants are used instead, and only what carries the run's prefix is touched.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { defaultSearchEnvironment } from '../../src/openstack/config/files.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import { isNotFound } from '../../src/openstack/http/errors.js';
import * as floatingIps from '../../src/openstack/network/floating-ips/index.js';
import * as ports from '../../src/openstack/network/ports/index.js';
import { Session } from '../../src/openstack/session/session.js';
import { createProjectWithMember, deleteThrowaway } from '../../test/support/throwaway.js';
import { deleteWorkload } from '../../test/support/workload.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Quotas of the throwaway projects: the graph's servers and floating IPs with room to spare. */
const COMPUTE_QUOTA = { instances: 30, cores: 60, ram: 61_440 };
const NETWORK_QUOTA = { floatingip: 60, port: 200, security_group: 20, security_group_rule: 200 };

export interface BenchProject {
  cloud: 'src' | 'dst';
  session: Session;
  /** Set when the bench made the project (and must delete it). */
  throwaway?: { projectId: string; userId: string };
}

export interface BenchClouds {
  /** The clouds.yaml every tool of the run reads (OS_CLIENT_CONFIG_FILE). */
  file: string;
  src: BenchProject;
  dst: BenchProject;
  /** What the report says about where the run happened. */
  description: string;
  close(): Promise<void>;
}

function connect(file: string, cloud: string): Promise<Session> {
  const env: NodeJS.ProcessEnv = { ...process.env, OS_CLIENT_CONFIG_FILE: file };
  delete env['OS_CLOUD'];
  return Session.connect(loadCloudConfig({ cloud, search: { ...defaultSearchEnvironment(), env } }));
}

/** The bench talks to this machine only: refuse any auth URL or catalog endpoint elsewhere. */
export function assertLoopback(session: Session): void {
  const urls = [
    session.cloud.auth.auth_url ?? '',
    ...session.catalog.flatMap((entry) => entry.endpoints.map((e) => e.url)),
  ];
  for (const url of urls) {
    const host = new URL(url).hostname;
    if (!LOOPBACK.has(host))
      throw new Error(
        `cloud "${session.cloud.name}" has an endpoint on ${host} (${url}); the bench only runs against 127.0.0.1`,
      );
  }
}

export async function openClouds(options: {
  configFile: string;
  workDir: string;
  prefix: string;
  shared: boolean;
  log: (line: string) => void;
}): Promise<BenchClouds> {
  const { configFile, workDir, prefix, log } = options;
  if (options.shared) {
    const [src, dst] = await Promise.all([connect(configFile, 'src'), connect(configFile, 'dst')]);
    assertLoopback(src);
    assertLoopback(dst);
    return {
      file: configFile,
      src: { cloud: 'src', session: src },
      dst: { cloud: 'dst', session: dst },
      description: `the shared projects ${src.project.name} and ${dst.project.name} of the local cloud`,
      close: () => Promise.all([src.close(), dst.close()]).then(() => undefined),
    };
  }

  const admin = await connect(configFile, 'admin');
  assertLoopback(admin);
  const template = (parseYaml(readFileSync(configFile, 'utf8')) as { clouds: Record<string, unknown> })
    .clouds['src'] as { auth: Record<string, unknown> } | undefined;
  if (!template) throw new Error(`${configFile} has no cloud "src" to model the bench's clouds on`);
  const file = join(workDir, 'clouds.yaml');
  const entries: Record<string, unknown> = {};
  const made: Partial<Record<'src' | 'dst', { projectId: string; userId: string }>> = {};
  const sessions: Session[] = [];
  try {
    for (const cloud of ['src', 'dst'] as const) {
      const name = `${prefix}-${cloud}`;
      const password = randomBytes(24).toString('base64url');
      made[cloud] = await createProject(admin, name, password);
      log(`project ${name} (${made[cloud].projectId}) with a member user, for cloud "${cloud}"`);
      entries[cloud] = {
        ...structuredClone(template),
        auth: { ...template.auth, username: name, password, project_name: name },
      };
    }
    writeFileSync(file, stringifyYaml({ clouds: entries }), { mode: 0o600 });
    const src = await connect(file, 'src');
    sessions.push(src);
    const dst = await connect(file, 'dst');
    sessions.push(dst);
    assertLoopback(src);
    assertLoopback(dst);
    const clouds: BenchClouds = {
      file,
      src: { cloud: 'src', session: src, throwaway: made.src as { projectId: string; userId: string } },
      dst: { cloud: 'dst', session: dst, throwaway: made.dst as { projectId: string; userId: string } },
      description: `two throwaway projects made for the run (${prefix}-src as cloud "src", ${prefix}-dst as cloud "dst"), each with a member user`,
      close: async () => {
        await Promise.all(sessions.map((s) => s.close()));
        for (const cloud of ['src', 'dst'] as const) {
          const t = made[cloud];
          if (!t) continue;
          await deleteThrowaway(admin, t);
          log(`deleted project ${prefix}-${cloud}`);
        }
        await admin.close();
      },
    };
    return clouds;
  } catch (err) {
    await Promise.all(sessions.map((s) => s.close()));
    for (const t of Object.values(made)) await deleteThrowaway(admin, t).catch(() => undefined);
    await admin.close();
    throw err;
  }
}

async function createProject(
  admin: Session,
  name: string,
  password: string,
): Promise<{ projectId: string; userId: string }> {
  const project = await createProjectWithMember(admin, name, password, 'downpour bench, throwaway');
  await admin.json('compute', {
    method: 'PUT',
    path: `os-quota-sets/${project.projectId}`,
    json: { quota_set: COMPUTE_QUOTA },
    ok: [200],
  });
  await admin.json('network', {
    method: 'PUT',
    path: `quotas/${project.projectId}`,
    json: { quota: NETWORK_QUOTA },
    ok: [200],
  });
  return project;
}

/**
 * Remove everything of the run's prefix from a project: floating IPs first (they hold the router
 * interface their port is behind; the playbook's carry no description, so they are found by
 * their port too), then the rest by name.
 */
export async function sweep(
  project: BenchProject,
  prefix: string,
  log: (line: string) => void,
): Promise<void> {
  const { session } = project;
  const mine = (name: string | null | undefined) => Boolean(name?.startsWith(`${prefix}-`));
  const ourPorts = new Set<string>();
  for await (const p of ports.list(session)) if (mine(p.name)) ourPorts.add(p.id);
  for await (const f of floatingIps.list(session)) {
    const ours =
      project.throwaway !== undefined ||
      f.description?.startsWith(prefix) ||
      (f.port_id !== null && f.port_id !== undefined && ourPorts.has(f.port_id));
    if (ours)
      await floatingIps.remove(session, f.id).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }
  await deleteWorkload(session, prefix, log);
}
