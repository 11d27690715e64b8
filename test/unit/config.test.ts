import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { clearSecrets, redact } from '../../src/core/redact.js';
import { cloudsSearchList, type SearchEnvironment } from '../../src/openstack/config/files.js';
import { listClouds, loadCloudConfig } from '../../src/openstack/config/loader.js';

let root: string;
let cwd: string;
let home: string;

beforeEach(() => {
  clearSecrets();
  root = mkdtempSync(join(tmpdir(), 'downpour-config-'));
  cwd = join(root, 'work');
  home = join(root, 'home');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(home, { recursive: true });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function put(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const search = (env: Record<string, string> = {}): SearchEnvironment => ({ env, cwd, home });
const userDir = () => join(home, '.config', 'openstack');

/** A complete password cloud in clouds.yaml syntax. */
function cloudYaml(name: string, password = `${name}-password`): string {
  return `clouds:
  ${name}:
    auth:
      auth_url: https://${name}.example.com:5000/v3
      username: ${name}-user
      password: ${password}
      project_name: ${name}-project
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
`;
}

/** The thrown ConfigError (fails the test if none or another error is thrown). */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** Nothing of `secret` (or a long piece of it) appears in what the user sees. */
function expectNoSecret(err: ConfigError, secret: string): void {
  const shown = `${err.message}\n${err.hint ?? ''}\n${JSON.stringify(err.toJSON())}`;
  for (let i = 0; i + 6 <= secret.length; i++) expect(shown).not.toContain(secret.slice(i, i + 6));
}

describe('where clouds.yaml is found', () => {
  it('reads OS_CLIENT_CONFIG_FILE before any clouds.yaml in the search folders', () => {
    const explicit = put(join(root, 'elsewhere', 'my-clouds.yaml'), cloudYaml('from-env'));
    put(join(cwd, 'clouds.yaml'), cloudYaml('from-cwd'));
    put(join(userDir(), 'clouds.yaml'), cloudYaml('from-home'));
    const cloud = loadCloudConfig({ search: search({ OS_CLIENT_CONFIG_FILE: explicit }) });
    expect(cloud.name).toBe('from-env');
    expect(cloud.source.cloudsFile).toBe(explicit);
  });

  it('prefers clouds.yaml in the working folder to ~/.config/openstack', () => {
    put(join(cwd, 'clouds.yaml'), cloudYaml('from-cwd'));
    put(join(userDir(), 'clouds.yaml'), cloudYaml('from-home'));
    expect(loadCloudConfig({ search: search() }).name).toBe('from-cwd');
  });

  it('falls back to ~/.config/openstack when the working folder has none', () => {
    put(join(userDir(), 'clouds.yaml'), cloudYaml('from-home'));
    expect(loadCloudConfig({ search: search() }).name).toBe('from-home');
  });

  it('honours XDG_CONFIG_HOME before ~/.config/openstack', () => {
    const xdg = join(root, 'xdg');
    put(join(xdg, 'openstack', 'clouds.yaml'), cloudYaml('from-xdg'));
    put(join(userDir(), 'clouds.yaml'), cloudYaml('from-home'));
    expect(loadCloudConfig({ search: search({ XDG_CONFIG_HOME: xdg }) }).name).toBe('from-xdg');
  });

  it('searches the working folder, the user folder, then /etc/xdg/openstack and /etc/openstack', () => {
    const files = cloudsSearchList(search({ OS_CLIENT_CONFIG_FILE: '/x/clouds.yaml' }));
    expect(files).toEqual([
      '/x/clouds.yaml',
      ...['yaml', 'yml', 'json'].map((e) => join(cwd, `clouds.${e}`)),
      ...['yaml', 'yml', 'json'].map((e) => join(userDir(), `clouds.${e}`)),
      ...['yaml', 'yml', 'json'].map((e) => `/etc/xdg/openstack/clouds.${e}`),
      ...['yaml', 'yml', 'json'].map((e) => `/etc/openstack/clouds.${e}`),
    ]);
  });

  it('reads clouds.yml', () => {
    put(join(cwd, 'clouds.yml'), cloudYaml('yml-cloud'));
    expect(loadCloudConfig({ search: search() }).name).toBe('yml-cloud');
  });

  it('reads clouds.json', () => {
    put(
      join(cwd, 'clouds.json'),
      JSON.stringify({
        clouds: {
          'json-cloud': {
            auth: { auth_url: 'https://k/v3', username: 'u', password: 'pw-json', project_name: 'p' },
          },
        },
      }),
    );
    const cloud = loadCloudConfig({ search: search() });
    expect(cloud.name).toBe('json-cloud');
    expect(cloud.auth.password).toBe('pw-json');
  });

  it('prefers clouds.yaml to clouds.yml in the same folder', () => {
    put(join(cwd, 'clouds.yml'), cloudYaml('yml-cloud'));
    put(join(cwd, 'clouds.yaml'), cloudYaml('yaml-cloud'));
    expect(loadCloudConfig({ search: search() }).name).toBe('yaml-cloud');
  });

  it('refuses an OS_CLIENT_CONFIG_FILE that cannot be read instead of searching on', () => {
    put(join(cwd, 'clouds.yaml'), cloudYaml('from-cwd'));
    const err = configError(() =>
      loadCloudConfig({ search: search({ OS_CLIENT_CONFIG_FILE: join(root, 'missing.yaml') }) }),
    );
    expect(err.message).toContain('missing.yaml');
    expect(err.exitCode).toBe(2);
  });
});

describe('secure.yaml', () => {
  it('merges secure.yaml deeply, so the password can live only there', () => {
    put(
      join(cwd, 'clouds.yaml'),
      `clouds:
  prod:
    auth:
      auth_url: https://prod.example.com/v3
      username: alice
      project_name: web
    region_name: RegionTwo
`,
    );
    put(join(userDir(), 'secure.yaml'), 'clouds:\n  prod:\n    auth:\n      password: only-in-secure-yaml\n');
    const cloud = loadCloudConfig({ search: search() });
    expect(cloud.auth).toMatchObject({
      auth_url: 'https://prod.example.com/v3',
      username: 'alice',
      project_name: 'web',
      password: 'only-in-secure-yaml',
    });
    expect(cloud.regionName).toBe('RegionTwo');
    expect(cloud.source.secureFile).toBe(join(userDir(), 'secure.yaml'));
    // A password learnt from any file is masked from then on.
    expect(redact('auth with only-in-secure-yaml failed')).toBe('auth with *** failed');
  });

  it('reads secure.yaml from OS_CLIENT_SECURE_FILE', () => {
    put(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  c:\n    auth: {auth_url: "https://k/v3", username: u, project_name: p}\n',
    );
    const secure = put(join(root, 's.yaml'), 'clouds:\n  c:\n    auth:\n      password: from-secure-env\n');
    expect(loadCloudConfig({ search: search({ OS_CLIENT_SECURE_FILE: secure }) }).auth.password).toBe(
      'from-secure-env',
    );
  });
});

describe('which cloud is chosen', () => {
  const two = `${cloudYaml('alpha')}${cloudYaml('beta').replace('clouds:\n', '')}`;

  it('lets --cloud beat OS_CLOUD', () => {
    put(join(cwd, 'clouds.yaml'), two);
    expect(loadCloudConfig({ cloud: 'beta', search: search({ OS_CLOUD: 'alpha' }) }).name).toBe('beta');
  });

  it('uses OS_CLOUD without --cloud', () => {
    put(join(cwd, 'clouds.yaml'), two);
    expect(loadCloudConfig({ search: search({ OS_CLOUD: 'alpha' }) }).name).toBe('alpha');
  });

  it('finds a cloud whose name has dashes by that name, while dashed option keys are normalised', () => {
    put(
      join(cwd, 'clouds.yaml'),
      `${cloudYaml('my-cloud')}  other-cloud:\n    auth: {auth-url: "https://o/v3", username: u, password: pw-o, project-name: p}\n`,
    );
    expect(loadCloudConfig({ cloud: 'my-cloud', search: search() }).name).toBe('my-cloud');
    expect(loadCloudConfig({ search: search({ OS_CLOUD: 'other-cloud' }) }).auth).toMatchObject({
      auth_url: 'https://o/v3',
      project_name: 'p',
    });
  });

  it('uses the only cloud of a file without being told its name', () => {
    put(join(cwd, 'clouds.yaml'), cloudYaml('lonely'));
    expect(loadCloudConfig({ search: search() }).name).toBe('lonely');
  });

  it('refuses to guess among several clouds', () => {
    put(join(cwd, 'clouds.yaml'), two);
    const err = configError(() => loadCloudConfig({ search: search() }));
    expect(err.message).toContain('several clouds are configured (alpha, beta)');
    expect(err.hint).toContain('--cloud');
    expect(err.exitCode).toBe(2);
  });

  it('makes a cloud named envvars from plain OS_* variables', () => {
    const cloud = loadCloudConfig({
      search: search({
        OS_AUTH_URL: 'https://env.example.com:5000/v3',
        OS_USERNAME: 'env-user',
        OS_PASSWORD: 'env-password',
        OS_PROJECT_NAME: 'env-project',
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_DOMAIN_NAME: 'Default',
        OS_REGION_NAME: 'EnvRegion',
        OS_ENDPOINT_TYPE: 'internalURL',
      }),
    });
    expect(cloud.name).toBe('envvars');
    expect(cloud.authType).toBe('password');
    expect(cloud.auth).toEqual({
      auth_url: 'https://env.example.com:5000/v3',
      username: 'env-user',
      password: 'env-password',
      project_name: 'env-project',
      user_domain_name: 'Default',
      project_domain_name: 'Default',
    });
    expect(cloud.regionName).toBe('EnvRegion');
    expect(cloud.interface).toBe('internal');
    expect(cloud.source.cloudsFile).toBeUndefined();
    expect(cloud.source.fromEnvironment).toContain('OS_PASSWORD');
  });

  it('lets OS_PASSWORD override the password of a named cloud', () => {
    put(join(cwd, 'clouds.yaml'), cloudYaml('named', 'file-password'));
    const cloud = loadCloudConfig({ search: search({ OS_CLOUD: 'named', OS_PASSWORD: 'env-password' }) });
    expect(cloud.name).toBe('named');
    expect(cloud.auth.password).toBe('env-password');
    expect(cloud.auth.username).toBe('named-user');
    expect(cloud.source.fromEnvironment).toEqual(['OS_PASSWORD']);
  });

  it('lets --region beat region_name and OS_REGION_NAME', () => {
    put(join(cwd, 'clouds.yaml'), cloudYaml('c'));
    expect(loadCloudConfig({ search: search({ OS_REGION_NAME: 'R2' }) }).regionName).toBe('R2');
    expect(loadCloudConfig({ regionName: 'R3', search: search({ OS_REGION_NAME: 'R2' }) }).regionName).toBe(
      'R3',
    );
  });

  it('lists every cloud without secrets, the envvars cloud included', () => {
    put(join(cwd, 'clouds.yaml'), two);
    const list = listClouds(
      search({ OS_AUTH_URL: 'https://env/v3', OS_USERNAME: 'e', OS_PASSWORD: 'pw-env' }),
    );
    expect(list.map((c) => c.name)).toEqual(['alpha', 'beta', 'envvars']);
    expect(list[0]).toEqual({
      name: 'alpha',
      authUrl: 'https://alpha.example.com:5000/v3',
      authType: 'password',
      regionName: 'RegionOne',
      project: 'alpha-project',
      user: 'alpha-user',
      file: join(cwd, 'clouds.yaml'),
    });
    for (const secret of ['alpha-password', 'beta-password', 'pw-env'])
      expect(JSON.stringify(list)).not.toContain(secret);
  });
});

describe('how a cloud entry is read', () => {
  const load = (yaml: string, env: Record<string, string> = {}) => {
    put(join(cwd, 'clouds.yaml'), yaml);
    return loadCloudConfig({ search: search(env) });
  };

  it('takes tenant_name and tenant_id as project_name and project_id', () => {
    const cloud = load(`clouds:
  old:
    auth: {auth_url: "https://k/v3", username: u, password: pw-tenant, tenant_name: legacy, tenant_id: abc123}
`);
    expect(cloud.auth.project_name).toBe('legacy');
    expect(cloud.auth.project_id).toBe('abc123');
    expect(cloud.auth).not.toHaveProperty('tenant_name');
    expect(cloud.auth).not.toHaveProperty('tenant_id');
  });

  it('moves auth keys written at the top of a cloud into auth, where they win', () => {
    const cloud = load(`clouds:
  flat:
    auth_url: https://flat.example.com/v3
    username: top-user
    password: pw-top
    project_name: top-project
    auth:
      username: nested-user
`);
    expect(cloud.auth).toMatchObject({
      auth_url: 'https://flat.example.com/v3',
      username: 'top-user',
      password: 'pw-top',
      project_name: 'top-project',
    });
  });

  it('normalises dashes in keys and old-style endpoint types', () => {
    const cloud = load(`clouds:
  dashed:
    auth: {auth-url: "https://k/v3", username: u, password: pw-dash, project-name: p}
    region-name: Dashed
    interface: publicURL
`);
    expect(cloud.auth.project_name).toBe('p');
    expect(cloud.regionName).toBe('Dashed');
    expect(cloud.interface).toBe('public');
  });

  it('lets insecure: true beat verify: true', () => {
    const base =
      'clouds:\n  c:\n    auth: {auth_url: "https://k/v3", username: u, password: pw-v, project_name: p}\n';
    expect(load(`${base}    verify: true\n    insecure: true\n`).verify).toBe(false);
    expect(load(`${base}    verify: false\n`).verify).toBe(false);
    expect(load(base).verify).toBe(true);
  });

  it('reads api_timeout in seconds, as openstacksdk does, and refuses one that is not a number above 0', () => {
    const base =
      'clouds:\n  c:\n    auth: {auth_url: "https://k/v3", username: u, password: pw-t, project_name: p}\n';
    expect(load(`${base}    api_timeout: 30\n`).apiTimeoutMs).toBe(30_000);
    expect(load(`${base}    api_timeout: "2.5"\n`).apiTimeoutMs).toBe(2_500);
    expect(load(base).apiTimeoutMs).toBeUndefined();
    const err = configError(() => load(`${base}    api_timeout: soon\n`));
    expect(err.message).toContain('api_timeout must be a number of seconds above 0, not "soon"');
  });

  it('takes verify: <path> as the CA bundle and keeps verifying', () => {
    const cloud = load(
      'clouds:\n  c:\n    auth: {auth_url: "https://k/v3", username: u, password: pw-v, project_name: p}\n    verify: /etc/ssl/corp-ca.pem\n',
    );
    expect(cloud.verify).toBe(true);
    expect(cloud.cacert).toBe('/etc/ssl/corp-ca.pem');
  });

  it('expands ~ in cacert to the home folder and resolves a relative path against the working folder', () => {
    const base =
      'clouds:\n  c:\n    auth: {auth_url: "https://k/v3", username: u, password: pw-ca, project_name: p}\n';
    expect(load(`${base}    cacert: ~/certs/ca.pem\n`).cacert).toBe(join(home, 'certs', 'ca.pem'));
    expect(load(`${base}    cacert: certs/ca.pem\n`).cacert).toBe(join(cwd, 'certs', 'ca.pem'));
  });

  it('reads per-service endpoint and interface overrides under their official service type', () => {
    const cloud = load(`clouds:
  c:
    auth: {auth_url: "https://k/v3", username: u, password: pw-o, project_name: p}
    volume_endpoint_override: https://cinder.example.com/v3/p
    compute_interface: internal
`);
    expect(cloud.endpointOverrides).toEqual({ 'block-storage': 'https://cinder.example.com/v3/p' });
    expect(cloud.interfaceOverrides).toEqual({ compute: 'internal' });
  });
});

describe('configuration errors', () => {
  it('names the line of malformed YAML and does not echo the file', () => {
    const secret = 'yaml-secret-9f2c';
    put(
      join(cwd, 'clouds.yaml'),
      `clouds:\n  broken:\n    auth:\n      password: ${secret}: oops\n      username: u\n`,
    );
    const err = configError(() => loadCloudConfig({ search: search() }));
    expect(err.message).toMatch(/clouds\.yaml is not valid YAML at line 4, column \d+/);
    expect(err.exitCode).toBe(2);
    expectNoSecret(err, secret);
  });

  it('does not echo a secret from malformed clouds.json', () => {
    const secret = 'jsonsecret7d1e0a';
    put(join(cwd, 'clouds.json'), `{"clouds": {"c": {"auth": {"password": ${secret}}}}}`);
    const err = configError(() => loadCloudConfig({ search: search() }));
    expect(err.message).toContain('is not valid JSON');
    expect(err.exitCode).toBe(2);
    expectNoSecret(err, secret);
  });

  it('lists the known clouds when the named one is not defined', () => {
    put(join(cwd, 'clouds.yaml'), `${cloudYaml('alpha')}${cloudYaml('beta').replace('clouds:\n', '')}`);
    const err = configError(() => loadCloudConfig({ cloud: 'gamma', search: search() }));
    expect(err.message).toBe(
      `cloud "gamma" is not defined (clouds in ${join(cwd, 'clouds.yaml')}: alpha, beta)`,
    );
    expect(err.hint).toContain('Use one of: alpha, beta');
    expect(err.exitCode).toBe(2);
    expectNoSecret(err, 'alpha-password');
  });

  it('says where it searched when no clouds.yaml exists and a cloud is named', () => {
    const err = configError(() => loadCloudConfig({ cloud: 'nowhere', search: search() }));
    expect(err.message).toContain('no clouds.yaml was found');
    expect(err.hint).toContain(join(cwd, 'clouds.yaml'));
    expect(err.exitCode).toBe(2);
  });

  it('refuses a cloud without auth_url', () => {
    put(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  c:\n    auth: {username: u, password: pw-no-url-1234, project_name: p}\n',
    );
    const err = configError(() => loadCloudConfig({ search: search() }));
    expect(err.message).toBe(`cloud "c" in ${join(cwd, 'clouds.yaml')} has no auth.auth_url`);
    expect(err.exitCode).toBe(2);
    expectNoSecret(err, 'pw-no-url-1234');
  });

  it('refuses a password cloud without a password', () => {
    put(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  c:\n    auth: {auth_url: "https://k/v3", username: u, project_name: p}\n',
    );
    const err = configError(() => loadCloudConfig({ search: search() }));
    expect(err.message).toContain('(auth_type password) has no password');
    expect(err.hint).toContain('secure.yaml');
    expect(err.exitCode).toBe(2);
  });

  it('refuses an auth_type Downpour does not support', () => {
    put(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  c:\n    auth_type: v3oidcpassword\n    auth: {auth_url: "https://k/v3", username: u, password: pw-oidc-5678, project_name: p}\n',
    );
    const err = configError(() => loadCloudConfig({ search: search() }));
    expect(err.message).toContain('uses auth_type "v3oidcpassword", which Downpour does not support');
    expect(err.exitCode).toBe(2);
    expectNoSecret(err, 'pw-oidc-5678');
  });

  it('refuses an application credential named without its user', () => {
    put(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  c:\n    auth_type: v3applicationcredential\n    auth: {auth_url: "https://k/v3", application_credential_name: ci, application_credential_secret: ac-secret-5555}\n',
    );
    const err = configError(() => loadCloudConfig({ search: search() }));
    expect(err.message).toContain('(auth_type v3applicationcredential) has no username');
    expect(err.exitCode).toBe(2);
    expectNoSecret(err, 'ac-secret-5555');
  });

  it('refuses an application credential without its secret', () => {
    put(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  c:\n    auth_type: v3applicationcredential\n    auth: {auth_url: "https://k/v3", application_credential_id: abc}\n',
    );
    const err = configError(() => loadCloudConfig({ search: search() }));
    expect(err.message).toContain('has no application_credential_secret');
    expect(err.exitCode).toBe(2);
  });

  it('refuses a token cloud without a token', () => {
    put(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  c:\n    auth_type: v3token\n    auth: {auth_url: "https://k/v3", project_name: p}\n',
    );
    expect(configError(() => loadCloudConfig({ search: search() })).message).toContain('has no token');
  });
});
