/**
 * Records the HTTP fixtures of the unit tests from the real local cloud (octokit/fixtures style).
 *
 *   OS_CLIENT_CONFIG_FILE=/var/lib/downpour-cloud/clouds.yaml npm run fixtures:record [-- SCENARIO...]
 *
 * Each scenario runs through its own Session (so each file starts with its own token request)
 * whose transport is an undici Agent composed with a recording interceptor. The exchanges are
 * normalised (ids, times, tokens, request ids, passwords, endpoint hosts) and written to
 * test/fixtures/<scenario>.json. What the scenarios need (networks, images, volumes, a
 * temporary project with zero quotas) is created under a unique `dp-fx-` prefix by a separate,
 * unrecorded session, and deleted afterwards, also when a scenario fails.
 */
import { createPrivateKey, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, type Dispatcher } from 'undici';
import { waitForDeletion, waitForStatus } from '../src/core/wait.js';
import { loadCloudConfig } from '../src/openstack/config/loader.js';
import type { CloudConfig } from '../src/openstack/config/types.js';
import { HttpError, isNotFound } from '../src/openstack/http/errors.js';
import { Session } from '../src/openstack/session/session.js';
import { FIXTURES_DIR, fixturePath, type Exchange, type Scenario } from '../test/support/fixture.js';
import { normaliseExchanges, parseBody } from '../test/support/normalise.js';

/** The label every fixture shows in place of this run's random prefix. */
const FIXED_LABEL = 'dp-fx-rec';
const label = `dp-fx-${randomBytes(3).toString('hex')}`;
const log = (line: string) => process.stderr.write(`record-fixtures: ${line}\n`);

// ---------------------------------------------------------------- the recording transport

function headerRecord(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const put = (k: string, v: unknown) => {
    if (typeof v === 'string' || typeof v === 'number') out[k.toLowerCase()] = String(v);
    else if (Array.isArray(v)) out[k.toLowerCase()] = v.map(String).join(', ');
  };
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) put(String(headers[i]), headers[i + 1]);
  } else if (Symbol.iterator in headers) {
    for (const [k, v] of headers as Iterable<[string, unknown]>) put(k, v);
  } else {
    for (const [k, v] of Object.entries(headers)) put(k, v);
  }
  return out;
}

function requestBody(body: Dispatcher.DispatchOptions['body']): unknown {
  if (typeof body === 'string') return parseBody(body);
  if (Buffer.isBuffer(body) || body instanceof Uint8Array)
    return parseBody(Buffer.from(body).toString('utf8'));
  return body ? '<stream>' : null;
}

/** An undici interceptor that appends every exchange, in the order the requests were sent, to `sink`. */
function recordingInterceptor(sink: Exchange[]): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const origin = String(opts.origin ?? '').replace(/\/+$/, '');
    const exchange: Exchange = {
      request: {
        method: opts.method,
        url: `${origin}${opts.path}`,
        headers: headerRecord(opts.headers),
        body: requestBody(opts.body),
      },
      response: { status: 0, headers: {}, body: null },
    };
    sink.push(exchange);
    const chunks: Buffer[] = [];
    return dispatch(opts, {
      onRequestStart: (controller, context: unknown) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, status, headers, socket) =>
        handler.onRequestUpgrade?.(controller, status, headers, socket),
      onResponseStart: (controller, status, headers, message) => {
        exchange.response.status = status;
        exchange.response.headers = headerRecord(headers);
        handler.onResponseStart?.(controller, status, headers, message);
      },
      onResponseData: (controller, chunk) => {
        chunks.push(chunk);
        handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd: (controller, trailers) => {
        exchange.response.body = parseBody(Buffer.concat(chunks).toString('utf8'));
        handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => {
        exchange.response.body = `<transport error: ${error.message}>`;
        handler.onResponseError?.(controller, error);
      },
    });
  };
}

// ---------------------------------------------------------------- scenarios

interface Context {
  src: CloudConfig;
  admin: CloudConfig | undefined;
  /** Unrecorded session of `src`, for setup and cleanup. */
  setup: Session;
  origins: Record<string, string>;
  secrets: string[];
  /** What this run created, for cleanup. */
  created: Created;
  /** The temporary project whose quotas are zero, made by the first scenario that needs it. */
  quotaCloud: CloudConfig | undefined;
}

async function record(
  ctx: Context,
  name: Scenario,
  cloud: CloudConfig,
  body: (session: Session) => Promise<void>,
): Promise<void> {
  const sink: Exchange[] = [];
  const dispatcher = new Agent().compose(recordingInterceptor(sink));
  const session = await Session.connect(cloud, { dispatcher });
  try {
    await body(session);
  } finally {
    await session.close();
  }
  write(ctx, name, sink);
}

function write(ctx: Context, name: Scenario, sink: Exchange[]): void {
  const normalised = normaliseExchanges(sink, {
    origins: ctx.origins,
    secrets: ctx.secrets,
    replacements: { [label]: FIXED_LABEL },
  });
  const text = `${JSON.stringify(normalised, null, 2)}\n`;
  if (/gAAAAA[A-Za-z0-9_-]{20,}/.test(text)) throw new Error(`${name}: a token survived normalisation`);
  writeFileSync(fixturePath(name), text);
  log(`wrote ${name}.json (${normalised.length} exchanges)`);
}

/** Run a request that must fail with `status`; anything else stops the recording. */
async function expectStatus(status: number, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof HttpError && err.status === status) return;
    throw err;
  }
  throw new Error(`expected HTTP ${status}, the request succeeded`);
}

async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** An OpenSSH ed25519 public key from a fixed seed, so keypair bodies are the same every run. */
function fixedPublicKey(): string {
  const seed = Buffer.alloc(32, 7);
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({
    format: 'jwk',
  });
  const raw = Buffer.from(jwk.x ?? '', 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} dp-fx`;
}

const SCENARIOS: Record<Scenario, (ctx: Context) => Promise<void>> = {
  'token-password': (ctx) => record(ctx, 'token-password', ctx.src, async () => {}),

  discovery: (ctx) =>
    record(ctx, 'discovery', ctx.src, async (s) => {
      for (const service of ['compute', 'block-storage', 'image', 'network', 'identity'])
        await s.versionInfo(service);
    }),

  'nova-flavors-pages': (ctx) =>
    record(ctx, 'nova-flavors-pages', ctx.src, async (s) => {
      // By name: flavor ids are random per cloud, and Nova's default order follows them.
      await drain(
        s.list('compute', 'flavors/detail', 'flavors', { limit: 2, sort_key: 'name', sort_dir: 'asc' }),
      );
    }),

  'neutron-networks-pages': (ctx) =>
    record(ctx, 'neutron-networks-pages', ctx.src, async (s) => {
      const query = { tags: label, limit: 1, sort_key: 'name', sort_dir: 'asc' };
      await drain(s.list('network', 'networks', 'networks', query));
    }),

  'glance-images-pages': (ctx) =>
    record(ctx, 'glance-images-pages', ctx.src, async (s) => {
      const query = { tag: label, limit: 1, sort_key: 'name', sort_dir: 'asc' };
      await drain(s.list('image', 'images', 'images', query));
    }),

  'cinder-volumes-pages': (ctx) =>
    record(ctx, 'cinder-volumes-pages', ctx.src, async (s) => {
      const query = { metadata: JSON.stringify({ 'dp-fx': label }), limit: 1, sort: 'name:asc' };
      await drain(s.list('block-storage', 'volumes/detail', 'volumes', query));
    }),

  'keystone-projects': (ctx) =>
    record(ctx, 'keystone-projects', ctx.src, async (s) => {
      await drain(s.list('identity', 'auth/projects', 'projects'));
    }),

  'keystone-401-wrong-password': async (ctx) => {
    const sink: Exchange[] = [];
    const wrong = `${label}-wrong-password`;
    const cloud: CloudConfig = { ...ctx.src, auth: { ...ctx.src.auth, password: wrong } };
    try {
      await Session.connect(cloud, { dispatcher: new Agent().compose(recordingInterceptor(sink)) });
      throw new Error('Keystone accepted a wrong password');
    } catch (err) {
      if (!(err instanceof Error) || !/refused the credentials/.test(err.message)) throw err;
    }
    write({ ...ctx, secrets: [...ctx.secrets, wrong] }, 'keystone-401-wrong-password', sink);
  },

  'nova-404': (ctx) =>
    record(ctx, 'nova-404', ctx.src, (s) =>
      expectStatus(404, () => s.json('compute', { path: `servers/${randomUUID()}` })),
    ),

  'neutron-404': (ctx) =>
    record(ctx, 'neutron-404', ctx.src, (s) =>
      expectStatus(404, () => s.json('network', { path: `networks/${randomUUID()}` })),
    ),

  'glance-404': (ctx) =>
    record(ctx, 'glance-404', ctx.src, async (s) => {
      const id = randomUUID();
      await expectStatus(404, () => s.json('image', { path: `images/${id}` }));
      // A download asks for bytes, and Glance answers its 404 with an HTML page.
      await expectStatus(404, () =>
        s.stream('image', { path: `images/${id}/file`, headers: { accept: 'application/octet-stream' } }),
      );
    }),

  'cinder-404': (ctx) =>
    record(ctx, 'cinder-404', ctx.src, (s) =>
      expectStatus(404, () => s.json('block-storage', { path: `volumes/${randomUUID()}` })),
    ),

  'neutron-409-duplicate-rule': (ctx) =>
    record(ctx, 'neutron-409-duplicate-rule', ctx.src, async (s) => {
      const sg = await s.json<{ security_group: { id: string } }>('network', {
        method: 'POST',
        path: 'security-groups',
        json: { security_group: { name: `${label}-sg`, description: 'Downpour fixture' } },
      });
      const id = sg.data.security_group.id;
      try {
        const rule = {
          security_group_rule: {
            security_group_id: id,
            direction: 'ingress',
            ethertype: 'IPv4',
            protocol: 'tcp',
            port_range_min: 22,
            port_range_max: 22,
            remote_ip_prefix: '192.0.2.0/24',
          },
        };
        await s.json('network', { method: 'POST', path: 'security-group-rules', json: rule });
        await expectStatus(409, () =>
          s.json('network', { method: 'POST', path: 'security-group-rules', json: rule }),
        );
      } finally {
        await s.json('network', { method: 'DELETE', path: `security-groups/${id}` });
      }
    }),

  'nova-406-microversion': (ctx) =>
    record(ctx, 'nova-406-microversion', ctx.src, (s) =>
      expectStatus(406, () => s.json('compute', { path: 'servers', microversion: '9.99' })),
    ),

  'nova-403-quota': (ctx) =>
    withQuotaCloud(ctx, 'nova-403-quota', (s) =>
      expectStatus(403, () =>
        s.json('compute', {
          method: 'POST',
          path: 'os-keypairs',
          json: { keypair: { name: `${label}-kp`, public_key: fixedPublicKey() } },
        }),
      ),
    ),

  'cinder-413-quota': (ctx) =>
    withQuotaCloud(ctx, 'cinder-413-quota', (s) =>
      expectStatus(413, () =>
        s.json('block-storage', {
          method: 'POST',
          path: 'volumes',
          json: { volume: { size: 1, name: `${label}-over-quota` } },
        }),
      ),
    ),

  'neutron-409-quota': (ctx) =>
    withQuotaCloud(ctx, 'neutron-409-quota', (s) =>
      expectStatus(409, () =>
        s.json('network', {
          method: 'POST',
          path: 'networks',
          json: { network: { name: `${label}-over-quota` } },
        }),
      ),
    ),
};

async function withQuotaCloud(
  ctx: Context,
  name: Scenario,
  body: (session: Session) => Promise<void>,
): Promise<void> {
  if (!ctx.admin) {
    log(`skipped ${name}: needs the "admin" cloud to make a project with zero quotas`);
    return;
  }
  ctx.quotaCloud ??= await createQuotaProject(ctx, ctx.admin);
  await record(ctx, name, ctx.quotaCloud, body);
}

// ---------------------------------------------------------------- setup and cleanup

interface Created {
  networks: string[];
  images: string[];
  volumes: string[];
  project: { id: string; adminSession: Session } | undefined;
}

async function createResources(ctx: Context): Promise<void> {
  const { setup: s, created } = ctx;
  for (const n of [1, 2, 3]) {
    const net = await s.json<{ network: { id: string } }>('network', {
      method: 'POST',
      path: 'networks',
      json: { network: { name: `${label}-net-${n}` } },
    });
    created.networks.push(net.data.network.id);
    await s.json('network', {
      method: 'PUT',
      path: `networks/${net.data.network.id}/tags/${label}`,
      ok: [201],
    });

    const image = await s.json<{ id: string }>('image', {
      method: 'POST',
      path: 'images',
      json: {
        name: `${label}-image-${n}`,
        disk_format: 'raw',
        container_format: 'bare',
        visibility: 'private',
        tags: [label],
      },
      ok: [201],
    });
    created.images.push(image.data.id);

    const volume = await s.json<{ volume: { id: string } }>('block-storage', {
      method: 'POST',
      path: 'volumes',
      json: { volume: { size: 1, name: `${label}-volume-${n}`, metadata: { 'dp-fx': label } } },
    });
    created.volumes.push(volume.data.volume.id);
  }
  for (const id of created.volumes) {
    await waitForStatus(
      { what: `volume ${id}`, success: ['available'], failure: ['error'] },
      async () => {
        const v = await s.json<{ volume: { status: string } }>('block-storage', { path: `volumes/${id}` });
        return { value: v.data.volume, status: v.data.volume.status };
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  }
}

/** A project of src-user's with zero quotas, so that creating anything is refused for quota. */
async function createQuotaProject(ctx: Context, adminCloud: CloudConfig): Promise<CloudConfig> {
  const admin = await Session.connect(adminCloud);
  const name = `${label}-quota`;
  const project = await admin.json<{ project: { id: string } }>('identity', {
    method: 'POST',
    path: 'projects',
    json: { project: { name, domain_id: 'default', description: 'Downpour fixture recording' } },
    ok: [201],
  });
  const pid = project.data.project.id;
  ctx.created.project = { id: pid, adminSession: admin };
  const user = (await ctx.setup.token()).user.id;
  const roles = await admin.json<{ roles: { id: string }[] }>('identity', {
    path: 'roles',
    query: { name: 'member' },
  });
  const role = roles.data.roles[0];
  if (!role) throw new Error('the cloud has no "member" role');
  await admin.json('identity', { method: 'PUT', path: `projects/${pid}/users/${user}/roles/${role.id}` });
  await admin.json('compute', {
    method: 'PUT',
    path: `os-quota-sets/${pid}`,
    json: { quota_set: { key_pairs: 0 } },
    ok: [200],
  });
  await admin.json('block-storage', {
    method: 'PUT',
    path: `os-quota-sets/${pid}`,
    json: { quota_set: { volumes: 0 } },
    ok: [200],
  });
  await admin.json('network', {
    method: 'PUT',
    path: `quotas/${pid}`,
    json: { quota: { network: 0 } },
    ok: [200],
  });
  return { ...ctx.src, auth: { ...ctx.src.auth, project_name: name, project_domain_name: 'Default' } };
}

/** Delete, ignoring "already gone", and keep going: cleanup must not stop at the first failure. */
async function quietly(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (isNotFound(err)) return;
    log(`cleanup of ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function cleanup(ctx: Context, created: Created): Promise<void> {
  const s = ctx.setup;
  for (const id of created.networks)
    await quietly(`network ${id}`, () => s.json('network', { method: 'DELETE', path: `networks/${id}` }));
  for (const id of created.images)
    await quietly(`image ${id}`, () => s.json('image', { method: 'DELETE', path: `images/${id}` }));
  for (const id of created.volumes) {
    await quietly(`volume ${id}`, async () => {
      await s.json('block-storage', { method: 'DELETE', path: `volumes/${id}` });
      await waitForDeletion(
        `volume ${id}`,
        async () => {
          try {
            const v = await s.json<{ volume: { status: string } }>('block-storage', {
              path: `volumes/${id}`,
            });
            return v.data.volume;
          } catch (err) {
            if (isNotFound(err)) return undefined;
            throw err;
          }
        },
        { timeoutMs: 120_000 },
      );
    });
  }
  if (created.project) {
    const { id, adminSession: admin } = created.project;
    await quietly('compute quotas', () =>
      admin.json('compute', { method: 'DELETE', path: `os-quota-sets/${id}` }),
    );
    await quietly('volume quotas', () =>
      admin.json('block-storage', { method: 'DELETE', path: `os-quota-sets/${id}`, ok: [200, 202, 204] }),
    );
    await quietly('network quotas', () => admin.json('network', { method: 'DELETE', path: `quotas/${id}` }));
    await quietly('default security groups', async () => {
      const sgs = await admin.json<{ security_groups: { id: string }[] }>('network', {
        path: 'security-groups',
        query: { project_id: id },
      });
      for (const sg of sgs.data.security_groups)
        await admin.json('network', { method: 'DELETE', path: `security-groups/${sg.id}` });
    });
    await quietly(`project ${id}`, () =>
      admin.json('identity', { method: 'DELETE', path: `projects/${id}` }),
    );
    await admin.close();
  }
}

/** Leftovers of an earlier run that died before its cleanup (any `dp-fx-` name in the project). */
async function removeLeftovers(ctx: Context): Promise<void> {
  const s = ctx.setup;
  const named = (x: { name?: string | null }) => typeof x.name === 'string' && x.name.startsWith('dp-fx-');
  const leftovers: Created = { networks: [], images: [], volumes: [], project: undefined };
  const projectId = s.project.id;
  for await (const n of s.list<{ id: string; name: string }>('network', 'networks', 'networks', {
    project_id: projectId,
  }))
    if (named(n)) leftovers.networks.push(n.id);
  for await (const sg of s.list<{ id: string; name: string }>(
    'network',
    'security-groups',
    'security_groups',
    {
      project_id: projectId,
    },
  ))
    if (named(sg))
      await quietly(`security group ${sg.id}`, () =>
        s.json('network', { method: 'DELETE', path: `security-groups/${sg.id}` }),
      );
  for await (const i of s.list<{ id: string; name: string }>('image', 'images', 'images', {
    owner: projectId,
  }))
    if (named(i)) leftovers.images.push(i.id);
  for await (const v of s.list<{ id: string; name: string }>('block-storage', 'volumes', 'volumes'))
    if (named(v)) leftovers.volumes.push(v.id);
  const count = leftovers.networks.length + leftovers.images.length + leftovers.volumes.length;
  if (count) log(`removing ${count} leftovers of an earlier run`);
  await cleanup(ctx, leftovers);
}

// ---------------------------------------------------------------- main

function catalogOrigins(session: Session): Record<string, string> {
  const origins: Record<string, string> = {};
  const official: Record<string, string> = {
    volumev3: 'block-storage',
    volumev2: 'block-storage',
    volume: 'block-storage',
  };
  for (const entry of session.catalog) {
    const service = official[entry.type] ?? entry.type;
    for (const e of entry.endpoints) {
      const origin = new URL(e.url).origin;
      origins[origin] ??= service;
    }
  }
  const identity = new URL(session.cloud.auth.auth_url).origin;
  origins[identity] ??= 'identity';
  return origins;
}

async function main(): Promise<void> {
  if (!process.env['OS_CLIENT_CONFIG_FILE']) {
    throw new Error(
      'set OS_CLIENT_CONFIG_FILE to the local cloud clouds.yaml (e.g. /var/lib/downpour-cloud/clouds.yaml)',
    );
  }
  const wanted = process.argv.slice(2) as Scenario[];
  for (const name of wanted) if (!(name in SCENARIOS)) throw new Error(`unknown scenario ${name}`);
  const src = loadCloudConfig({ cloud: 'src' });
  let admin: CloudConfig | undefined;
  try {
    admin = loadCloudConfig({ cloud: 'admin' });
  } catch {
    admin = undefined;
  }
  const setup = await Session.connect(src);
  const ctx: Context = {
    src,
    admin,
    setup,
    origins: catalogOrigins(setup),
    secrets: [src.auth.password, admin?.auth.password].filter((p): p is string => typeof p === 'string'),
    created: { networks: [], images: [], volumes: [], project: undefined },
    quotaCloud: undefined,
  };
  mkdirSync(FIXTURES_DIR, { recursive: true });
  let failed = false;
  try {
    await removeLeftovers(ctx);
    await createResources(ctx);
    for (const [name, run] of Object.entries(SCENARIOS) as [Scenario, (c: Context) => Promise<void>][]) {
      if (wanted.length && !wanted.includes(name)) continue;
      try {
        await run(ctx);
      } catch (err) {
        failed = true;
        log(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await cleanup(ctx, ctx.created);
    await setup.close();
  }
  if (failed) process.exitCode = 1;
}

await main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
