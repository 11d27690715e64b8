import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { clearSecrets, redact } from '../../src/core/redact.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import { Session } from '../../src/openstack/session/session.js';
import { proxiedCloudsYaml, startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { deleteWorkload } from '../support/workload.js';
import {
  buildSmallWorkload,
  configFile,
  downpour,
  explain,
  namesWithPrefix,
  writeSummary,
  type Run,
  type SecretsRow,
  type SmallWorkload,
} from './support.js';

if (!configFile) console.warn('reliability tests skipped: OS_CLIENT_CONFIG_FILE is unset.');

/** Keystone fernet tokens (and JWS ones) start like this; the redaction catalog masks the shape. */
const TOKEN_SHAPE = /gAAAAA[A-Za-z0-9_-]{20,}/;

type CloudsDoc = { clouds: Record<string, Record<string, unknown> & { auth?: Record<string, unknown> }> };

async function filesUnder(dir: string): Promise<{ path: string; isDir: boolean }[]> {
  const out = [{ path: dir, isDir: true }];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    out.push({ path: join(e.parentPath, e.name), isDir: e.isDirectory() });
  return out;
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`openssl exited ${code}: ${err}`)),
    );
  });
}

describe.skipIf(!configFile)('secrets never leave memory; files are owner-only; TLS is verified', () => {
  const prefix = `dp-rl-${randomBytes(4).toString('hex')}`;
  /** What Downpour writes (scanned); clouds files live in `conf`, outside it, since they hold the secrets. */
  let work: string;
  let conf: string;
  let src: Session;
  let dst: Session;
  let small: SmallWorkload;
  let proxy: FaultProxy;
  let clouds: string;
  let appCred: { id: string; secret: string; userId: string } | undefined;
  const wrongPassword = `dp-rl-wrong-${randomBytes(8).toString('hex')}`;
  let imported = false;
  let destroyed = false;
  const runs: Run[] = [];
  const summary: SecretsRow = {
    scannedFiles: 0,
    scannedBytes: 0,
    commands: 0,
    secretsLookedFor: 0,
    found: [],
  };
  const tlsRows: { case: string; ok: boolean }[] = [];

  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const result = await downpour(args, { cwd: work, env: { OS_CLIENT_CONFIG_FILE: clouds, ...env } });
    runs.push(result);
    return result;
  };

  /** Every secret of every cloud in the file, the application credential's, and every token issued. */
  async function secrets(): Promise<{ label: string; value: string }[]> {
    const doc = parseYaml(await readFile(configFile as string, 'utf8')) as CloudsDoc;
    const out: { label: string; value: string }[] = [];
    for (const [name, cloud] of Object.entries(doc.clouds)) {
      const password = cloud.auth?.['password'];
      if (typeof password === 'string') out.push({ label: `password of cloud ${name}`, value: password });
    }
    out.push({ label: 'a wrong password tried', value: wrongPassword });
    if (appCred) out.push({ label: 'application credential secret', value: appCred.secret });
    for (const token of proxy.tokens) out.push({ label: 'a token issued to the runs', value: token });
    return out;
  }

  /** Scan text or bytes for every secret and for anything shaped like a token. */
  function scan(where: string, bytes: Buffer, wanted: { label: string; value: string }[]): void {
    summary.scannedBytes += bytes.length;
    for (const s of wanted) if (bytes.includes(s.value)) summary.found.push(`${where}: ${s.label}`);
    if (TOKEN_SHAPE.test(bytes.toString('latin1')))
      summary.found.push(`${where}: something shaped like a token`);
  }

  async function scanFiles(): Promise<void> {
    const wanted = await secrets();
    for (const f of await filesUnder(work)) {
      if (f.isDir) continue;
      summary.scannedFiles++;
      scan(relative(work, f.path), await readFile(f.path), wanted);
    }
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    conf = await mkdtemp(join(tmpdir(), `${prefix}-conf-`));
    src = await Session.connect(loadCloudConfig({ cloud: 'src' }));
    dst = await Session.connect(loadCloudConfig({ cloud: 'dst' }));
    proxy = await startFaultProxy();
    small = await buildSmallWorkload(src, prefix);

    // An application credential of the src user: Downpour exports with it.
    const userId = (await src.token()).user.id;
    const created = await src.json<{ application_credential: { id: string; secret: string } }>('identity', {
      method: 'POST',
      path: `users/${userId}/application_credentials`,
      json: { application_credential: { name: `${prefix}-cred`, description: 'reliability test' } },
      ok: [201],
    });
    appCred = { ...created.data.application_credential, userId };

    const doc = parseYaml(
      proxiedCloudsYaml(await readFile(configFile as string, 'utf8'), proxy),
    ) as CloudsDoc;
    const srcCloud = doc.clouds['src'];
    const dstCloud = doc.clouds['dst'];
    if (!srcCloud?.auth || !dstCloud?.auth) throw new Error('clouds.yaml lacks src or dst');
    doc.clouds['src-app'] = {
      ...srcCloud,
      auth_type: 'v3applicationcredential',
      auth: {
        auth_url: srcCloud.auth['auth_url'],
        application_credential_id: appCred.id,
        application_credential_secret: appCred.secret,
      },
    };
    doc.clouds['dst-wrong'] = { ...dstCloud, auth: { ...dstCloud.auth, password: wrongPassword } };
    clouds = join(conf, 'clouds.yaml');
    await writeFile(clouds, stringifyYaml(doc), { mode: 0o600 });
  });

  afterAll(async () => {
    writeSummary('secrets', { secrets: summary, tls: tlsRows });
    try {
      // What the import made includes unnamed ports, which only destroy knows to remove.
      if (imported && !destroyed) await cli(['destroy', 'shop.tar', '--cloud', 'dst']);
      if (appCred)
        await src
          .json('identity', {
            method: 'DELETE',
            path: `users/${appCred.userId}/application_credentials/${appCred.id}`,
            ok: [204],
          })
          .catch((err: unknown) => console.warn(String(err)));
      if (src) await small?.cleanup();
      if (dst) await deleteWorkload(dst, prefix);
    } finally {
      await proxy?.close();
      await src?.close();
      await dst?.close();
      for (const dir of [work, conf]) if (dir) await rm(dir, { recursive: true, force: true });
    }
  });

  it('the pattern catalog masks a real token even when it was never registered', async () => {
    const token = (await dst.token()).token;
    expect(token).toMatch(TOKEN_SHAPE);
    clearSecrets();
    const masked = redact(`X-Auth-Token: ${token}\n{"id": "${token}"} ${token}`);
    expect(masked).not.toContain(token);
    expect(masked).not.toMatch(TOKEN_SHAPE);
  });

  it('a full select, export, pack, plan, import, destroy with --debug and --json writes no secret anywhere, and only owner-readable files', async () => {
    const ok = async (args: string[]) => {
      const result = await cli([...args, '--debug']);
      expect(result.code, explain(result)).toBe(0);
      return result;
    };
    await ok(['clouds', '--json']);
    await ok([
      'select',
      '--cloud',
      'src-app',
      '--server',
      `${prefix}-vm`,
      '--image',
      `${prefix}-img`,
      '--capture',
      'image',
      '-o',
      'sel.yaml',
      '--json',
    ]);
    await ok(['export', 'sel.yaml', '--cloud', 'src-app', '-o', 'shop.bundle', '--json']);
    await ok(['inspect', 'shop.bundle', '--json']);
    await ok(['verify', 'shop.bundle', '--json']);
    await ok(['pack', 'shop.bundle', '-o', 'shop.tar', '--json']);
    await ok(['plan', 'shop.tar', '--cloud', 'dst', '-o', 'plan.json', '--json']);
    imported = true;
    await ok([
      'import',
      'shop.tar',
      '--cloud',
      'dst',
      '--plan',
      'plan.json',
      '--report',
      'report.json',
      '--json',
    ]);
    // Refused runs print errors, and with --json an error document: those are scanned too.
    const refused = await cli(['plan', 'shop.tar', '--cloud', 'dst-wrong', '--json', '--debug']);
    expect(refused.code, explain(refused)).toBe(5);
    // select, export, plan and import each authenticated once.
    expect(proxy.tokens.size).toBeGreaterThanOrEqual(4);

    // Owner-only: the bundle, the .tar, the journal and every file a command wrote.
    const state = join(work, 'shop.tar.state');
    const files = await filesUnder(work);
    expect(files.some((f) => f.path.startsWith(state) && !f.isDir)).toBe(true);
    const modes: string[] = [];
    for (const f of files) {
      if (f.path === work) continue;
      const mode = (await stat(f.path)).mode & 0o777;
      const want = f.isDir ? 0o700 : 0o600;
      if (mode !== want)
        modes.push(`${relative(work, f.path)}: ${mode.toString(8)}, not ${want.toString(8)}`);
    }
    expect(modes).toEqual([]);
    // The journal is deleted by destroy: scan it now.
    await scanFiles();

    await ok(['destroy', 'shop.tar', '--cloud', 'dst', '--json']);
    destroyed = true;
    expect(await namesWithPrefix(dst, prefix)).toEqual({});
    await scanFiles();

    const wanted = await secrets();
    summary.secretsLookedFor = wanted.length;
    summary.commands = runs.length;
    for (const r of runs) {
      const name = `downpour ${r.args.slice(0, 2).join(' ')}`;
      scan(`${name} stdout`, Buffer.from(r.stdout), wanted);
      scan(`${name} stderr`, Buffer.from(r.stderr), wanted);
    }
    // The debug logs really did show the requests the tokens were used for.
    expect(runs.some((r) => /REQ POST .*\/auth\/tokens/.test(r.stderr))).toBe(true);
    expect(runs.some((r) => /"x-auth-token":"\*\*\*"/.test(r.stderr))).toBe(true);
    expect(summary.found).toEqual([]);
  });

  describe('TLS, as the openstack CLI does it', () => {
    let tlsProxy: FaultProxy;
    let certDir: string;
    const tlsClouds = async (name: string, extra: Record<string, unknown>) => {
      const file = join(certDir, `${name}.yaml`);
      const text = proxiedCloudsYaml(await readFile(configFile as string, 'utf8'), tlsProxy, extra);
      await writeFile(file, text, { mode: 0o600 });
      return file;
    };
    const select = (file: string, env: Record<string, string> = {}) =>
      downpour(['select', '--cloud', 'src', '--server', `${prefix}-vm`], {
        cwd: certDir,
        env: { OS_CLIENT_CONFIG_FILE: file, OS_CACERT: undefined, ...env },
      });

    beforeAll(async () => {
      certDir = await mkdtemp(join(tmpdir(), `${prefix}-tls-`));
      await openssl(
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          'key.pem',
          '-out',
          'cert.pem',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        certDir,
      );
      tlsProxy = await startFaultProxy({
        tls: {
          key: await readFile(join(certDir, 'key.pem')),
          cert: await readFile(join(certDir, 'cert.pem')),
        },
      });
    });

    afterAll(async () => {
      await tlsProxy?.close();
      if (certDir) await rm(certDir, { recursive: true, force: true });
    });

    it('refuses a self-signed endpoint by default, at once, with a hint naming cacert and insecure', async () => {
      const started = Date.now();
      const result = await select(await tlsClouds('default', {}));
      tlsRows.push({ case: 'self-signed, default: refused', ok: false });
      // The endpoint is not the one it claims to be: the class of an endpoint that cannot be used.
      expect(result.code, explain(result)).toBe(9);
      expect(result.stderr).toMatch(
        /downpour: error: POST https:\/\/127\.0\.0\.1:\d+\/v3\/auth\/tokens: self-signed certificate/,
      );
      expect(result.stderr).toMatch(/TLS verification failed: set cacert .* or insecure: true/);
      // A certificate does not change between attempts: no retries.
      expect(Date.now() - started).toBeLessThan(5_000);
      tlsRows[tlsRows.length - 1]!.ok = true;
    });

    it('accepts it with cacert in clouds.yaml, or OS_CACERT', async () => {
      tlsRows.push({ case: 'self-signed, cacert: accepted', ok: false });
      const result = await select(await tlsClouds('cacert', { cacert: join(certDir, 'cert.pem') }));
      expect(result.code, explain(result)).toBe(0);
      expect(result.stdout).toContain(small.server);
      const env = await select(await tlsClouds('env', {}), { OS_CACERT: join(certDir, 'cert.pem') });
      expect(env.code, explain(env)).toBe(0);
      tlsRows[tlsRows.length - 1]!.ok = true;
    });

    it('accepts it with insecure: true', async () => {
      tlsRows.push({ case: 'self-signed, insecure: accepted', ok: false });
      const result = await select(await tlsClouds('insecure', { insecure: true }));
      expect(result.code, explain(result)).toBe(0);
      expect(result.stdout).toContain(small.server);
      tlsRows[tlsRows.length - 1]!.ok = true;
    });
  });
});
