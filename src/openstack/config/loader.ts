import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../../core/errors.js';
import { registerSecret } from '../../core/redact.js';
import {
  cloudsSearchList,
  defaultSearchEnvironment,
  findCloudsFile,
  findPublicCloudsFile,
  findSecureFile,
  type SearchEnvironment,
} from './files.js';
import type { AuthOptions, AuthType, CloudConfig, CloudSummary, Interface } from './types.js';

type Dict = Record<string, unknown>;

const AUTH_TYPES: Record<string, AuthType> = {
  password: 'password',
  v3password: 'v3password',
  v3applicationcredential: 'v3applicationcredential',
  token: 'token',
  v3token: 'v3token',
};

/** Keys that belong in `auth:` even when written at the top of a cloud or given as OS_* variables. */
const AUTH_KEYS = new Set([
  'auth_url',
  'username',
  'user_id',
  'password',
  'user_domain_name',
  'user_domain_id',
  'project_name',
  'project_id',
  'project_domain_name',
  'project_domain_id',
  'domain_name',
  'domain_id',
  'default_domain_id',
  'default_domain_name',
  'application_credential_id',
  'application_credential_name',
  'application_credential_secret',
  'token',
  'system_scope',
  'tenant_name',
  'tenant_id',
]);

/** OS_* variables that select a cloud rather than describe one (they do not create the `envvars` cloud). */
const SELECTORS = new Set([
  'cloud',
  'region_name',
  'client_config_file',
  'client_secure_file',
  'cloud_name',
  'client_public_file',
]);

const SERVICE_KEY_PREFIXES: Record<string, string> = {
  compute: 'compute',
  network: 'network',
  image: 'image',
  identity: 'identity',
  orchestration: 'orchestration',
  volume: 'block-storage',
  block_storage: 'block-storage',
  placement: 'placement',
};

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

function normaliseKeys(d: Dict): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(d)) out[k.replace(/-/g, '_')] = isDict(v) ? normaliseKeys(v) : v;
  return out;
}

/**
 * `auth-url` and `auth_url` mean the same option; but the names of clouds and profiles are
 * names, not options (`--cloud my-cloud` must find `my-cloud`), so they keep their dashes.
 */
function normaliseDocument(doc: Dict): Dict {
  const out = normaliseKeys(doc);
  for (const key of ['clouds', 'public_clouds']) {
    const raw = doc[key] ?? doc[key.replace(/_/g, '-')];
    if (isDict(raw))
      out[key] = Object.fromEntries(
        Object.entries(raw).map(([name, v]) => [name, isDict(v) ? normaliseKeys(v) : v]),
      );
  }
  return out;
}

function deepMerge(base: Dict, over: Dict): Dict {
  const out: Dict = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const current = out[k];
    out[k] = isDict(current) && isDict(v) ? deepMerge(current, v) : v;
  }
  return out;
}

function readConfigFile(file: string, what: string): Dict {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${file}: ${(err as Error).message}`, {
      hint: 'Check the file exists and is readable, or point OS_CLIENT_CONFIG_FILE at the right one.',
    });
  }
  let doc: unknown;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const where =
      err instanceof YAMLParseError && err.linePos
        ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}`
        : '';
    let first = ((err as Error).message.split('\n')[0] ?? '').slice(0, 200);
    // V8 quotes the text around a JSON syntax error, which may be a secret: keep only the reason.
    if (file.endsWith('.json'))
      first = first.replace(/,\s*(?:\.\.\.)?".*$/, '').replace(/^(Unexpected token) '.*?'/, '$1');
    throw new ConfigError(
      `${what} ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}${where}: ${first}`,
      {
        hint: 'Fix the syntax (the same file must work with `openstack --os-cloud NAME`), or point OS_CLIENT_CONFIG_FILE at another file.',
      },
    );
  }
  if (doc === null || doc === undefined) return {};
  if (!isDict(doc))
    throw new ConfigError(`${what} ${file} must hold a mapping with a top-level "clouds:" key`);
  return normaliseDocument(doc);
}

export interface LoadOptions {
  /** The cloud named by --cloud; beats OS_CLOUD. */
  cloud?: string | undefined;
  /** Beats region_name in the file and OS_REGION_NAME. */
  regionName?: string | undefined;
  search?: SearchEnvironment;
}

interface Loaded {
  clouds: Record<string, Dict>;
  cloudsFile: string | undefined;
  secureFile: string | undefined;
  env: Dict;
  envKeys: string[];
  search: SearchEnvironment;
}

function envValues(se: SearchEnvironment): { values: Dict; keys: string[] } {
  const values: Dict = {};
  const keys: string[] = [];
  for (const [name, value] of Object.entries(se.env)) {
    if (!name.startsWith('OS_') || value === undefined || value === '') continue;
    if (/^OS_(TEST|STD|LOG)/.test(name)) continue;
    const key = name.slice(3).toLowerCase();
    values[key === 'endpoint_type' ? 'interface' : key] = value;
    keys.push(name);
  }
  return { values, keys };
}

function loadAll(search: SearchEnvironment): Loaded {
  const cloudsFile = findCloudsFile(search);
  const secureFile = findSecureFile(search);
  const { values: env, keys: envKeys } = envValues(search);
  if (search.env['OS_CLIENT_CONFIG_FILE'] && cloudsFile !== search.env['OS_CLIENT_CONFIG_FILE']) {
    throw new ConfigError(
      `OS_CLIENT_CONFIG_FILE names ${search.env['OS_CLIENT_CONFIG_FILE']}, which cannot be read`,
      {
        hint: 'Fix the path or unset OS_CLIENT_CONFIG_FILE.',
      },
    );
  }
  let doc: Dict = cloudsFile ? readConfigFile(cloudsFile, 'clouds file') : {};
  if (secureFile) doc = deepMerge(doc, readConfigFile(secureFile, 'secure file'));
  const cloudsValue = doc['clouds'] ?? {};
  if (!isDict(cloudsValue))
    throw new ConfigError(`"clouds:" in ${cloudsFile ?? 'clouds.yaml'} must be a mapping of cloud names`);
  const clouds: Record<string, Dict> = {};
  for (const [name, value] of Object.entries(cloudsValue)) {
    if (!isDict(value))
      throw new ConfigError(`cloud "${name}" in ${cloudsFile ?? 'clouds.yaml'} must be a mapping`);
    clouds[name] = value;
  }
  // Vendor profiles from clouds-public.yaml, merged beneath the cloud's own keys.
  const withProfiles = Object.values(clouds).some((c) => typeof (c['profile'] ?? c['cloud']) === 'string');
  if (withProfiles) {
    const publicFile = findPublicCloudsFile(search);
    const publicDoc = publicFile ? readConfigFile(publicFile, 'public clouds file') : {};
    const profiles = isDict(publicDoc['public_clouds']) ? publicDoc['public_clouds'] : {};
    for (const [name, cloud] of Object.entries(clouds)) {
      const profileName = cloud['profile'] ?? cloud['cloud'];
      if (typeof profileName !== 'string') continue;
      const profile = profiles[profileName];
      if (!isDict(profile)) {
        throw new ConfigError(
          `cloud "${name}" uses profile "${profileName}", which no clouds-public.yaml defines`,
          {
            hint: 'Copy the vendor settings (auth_url, region) into the cloud entry, or add the profile to clouds-public.yaml.',
          },
        );
      }
      clouds[name] = deepMerge(profile, cloud);
    }
  }
  return { clouds, cloudsFile, secureFile, env, envKeys, search };
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (/^(true|yes|1|on)$/i.test(v)) return true;
    if (/^(false|no|0|off)$/i.test(v)) return false;
  }
  return undefined;
}

function expandPath(p: string | undefined, se: SearchEnvironment): string | undefined {
  if (!p) return undefined;
  const expanded = p.startsWith('~/') ? `${se.home}${p.slice(1)}` : p;
  // Like the openstack CLI, a relative path is relative to the working folder.
  return isAbsolute(expanded) ? expanded : resolve(se.cwd, expanded);
}

/** Flatten a cloud entry: top-level auth keys move into auth (and win), env overrides apply, names are normalised. */
function buildCloud(
  name: string,
  entry: Dict,
  overlay: Dict,
  loaded: Loaded,
  regionOverride: string | undefined,
): CloudConfig {
  const merged = deepMerge(entry, overlay);
  const auth: Dict = isDict(merged['auth']) ? { ...merged['auth'] } : {};
  for (const [k, v] of Object.entries(merged)) if (AUTH_KEYS.has(k)) auth[k] = v;
  if (auth['tenant_name'] !== undefined && auth['project_name'] === undefined)
    auth['project_name'] = auth['tenant_name'];
  if (auth['tenant_id'] !== undefined && auth['project_id'] === undefined)
    auth['project_id'] = auth['tenant_id'];
  delete auth['tenant_name'];
  delete auth['tenant_id'];

  const rawType = (str(merged['auth_type']) ?? 'password').toLowerCase();
  const authType = AUTH_TYPES[rawType];
  const where = loaded.cloudsFile ? ` in ${loaded.cloudsFile}` : '';
  if (!authType) {
    throw new ConfigError(
      `cloud "${name}"${where} uses auth_type "${rawType}", which Downpour does not support`,
      {
        hint: 'Use password, v3password, v3applicationcredential or v3token (an application credential works everywhere a password does).',
      },
    );
  }
  const authOptions: Dict = {};
  for (const [k, v] of Object.entries(auth)) {
    const s = str(v);
    if (s !== undefined) authOptions[k] = s;
  }
  const authUrl = str(authOptions['auth_url']);
  if (!authUrl) {
    throw new ConfigError(`cloud "${name}"${where} has no auth.auth_url`, {
      hint: 'Add auth_url (the Keystone endpoint, e.g. https://keystone.example.com:5000/v3) to the cloud entry.',
    });
  }
  for (const secretKey of ['password', 'application_credential_secret', 'token'])
    registerSecret(str(authOptions[secretKey]));
  checkAuthComplete(name, where, authType, authOptions as unknown as AuthOptions);

  let regionName = regionOverride ?? str(merged['region_name']);
  const regions = merged['regions'];
  if (regionName === undefined && Array.isArray(regions) && regions.length > 0) {
    const first: unknown = regions[0];
    regionName = isDict(first) ? str(first['name']) : str(first);
  }
  const iface = (str(merged['interface']) ?? 'public').replace(/URL$/, '') as Interface;
  if (!['public', 'internal', 'admin'].includes(iface)) {
    throw new ConfigError(
      `cloud "${name}"${where}: interface must be public, internal or admin, not "${iface}"`,
    );
  }
  const insecure = bool(merged['insecure']);
  const verifyValue = merged['verify'];
  let verify = insecure === true ? false : (bool(verifyValue) ?? true);
  let cacert = str(merged['cacert']);
  if (typeof verifyValue === 'string' && bool(verifyValue) === undefined) {
    // requests-style `verify: /path/to/ca.pem`
    cacert ??= verifyValue;
    verify = insecure !== true;
  }
  const timeoutValue = merged['api_timeout'];
  let apiTimeoutMs: number | undefined;
  if (timeoutValue !== undefined && timeoutValue !== null && timeoutValue !== '') {
    const seconds = Number(timeoutValue);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new ConfigError(
        `cloud "${name}"${where}: api_timeout must be a number of seconds above 0, not ${JSON.stringify(timeoutValue)}`,
      );
    apiTimeoutMs = Math.round(seconds * 1000);
  }
  const endpointOverrides: Record<string, string> = {};
  const interfaceOverrides: Record<string, Interface> = {};
  for (const [k, v] of Object.entries(merged)) {
    const m = /^([a-z_]+?)_(endpoint_override|endpoint|interface)$/.exec(k);
    const service = m?.[1] ? SERVICE_KEY_PREFIXES[m[1]] : undefined;
    const value = str(v);
    if (!m || !service || value === undefined) continue;
    if (m[2] === 'interface') interfaceOverrides[service] = value as Interface;
    else endpointOverrides[service] = value;
  }
  const fromEnvironment = loaded.envKeys.filter((k) => {
    const key = k.slice(3).toLowerCase();
    return key in overlay || AUTH_KEYS.has(key);
  });
  return {
    name,
    authType,
    auth: authOptions as unknown as AuthOptions,
    regionName,
    interface: iface,
    verify,
    cacert: expandPath(cacert, loaded.search),
    cert: expandPath(str(merged['cert']), loaded.search),
    key: expandPath(str(merged['key']), loaded.search),
    apiTimeoutMs,
    endpointOverrides,
    interfaceOverrides,
    source: {
      cloudsFile: loaded.cloudsFile,
      secureFile: loaded.secureFile,
      fromEnvironment: Object.keys(overlay).length ? fromEnvironment : [],
    },
  };
}

function checkAuthComplete(name: string, where: string, type: AuthType, a: AuthOptions): void {
  const missing = (what: string, hint: string) =>
    new ConfigError(`cloud "${name}"${where} (auth_type ${type}) has no ${what}`, { hint });
  if (type === 'v3applicationcredential') {
    if (!a.application_credential_secret)
      throw missing('application_credential_secret', 'Add it to the cloud entry or to secure.yaml.');
    if (!a.application_credential_id && !a.application_credential_name)
      throw missing(
        'application_credential_id',
        'Add application_credential_id (or name with username and user_domain_name).',
      );
    // A credential named rather than identified belongs to a user Keystone must be told.
    if (!a.application_credential_id && !a.username && !a.user_id)
      throw missing('username', 'Add username and user_domain_name, or use application_credential_id.');
    return;
  }
  if (type === 'token' || type === 'v3token') {
    if (!a.token) throw missing('token', 'Add auth.token, or set OS_TOKEN.');
    return;
  }
  if (!a.password)
    throw missing('password', 'Add auth.password to the cloud entry or to secure.yaml, or set OS_PASSWORD.');
  if (!a.username && !a.user_id) throw missing('username', 'Add auth.username (or user_id).');
}

/**
 * Resolve one cloud as the `openstack` CLI would: `--cloud` beats `OS_CLOUD`; with neither,
 * plain OS_* variables make a cloud named `envvars`; else a file with exactly one cloud uses it.
 * OS_* variables override the named cloud's values, as the CLI's own options do.
 */
export function loadCloudConfig(options: LoadOptions = {}): CloudConfig {
  const search = options.search ?? defaultSearchEnvironment();
  const loaded = loadAll(search);
  const env = loaded.env;
  const describing = Object.fromEntries(Object.entries(env).filter(([k]) => !SELECTORS.has(k)));
  const wanted = options.cloud ?? str(env['cloud']);
  const region = options.regionName ?? str(env['region_name']);
  const names = Object.keys(loaded.clouds);
  if (wanted !== undefined) {
    const entry = loaded.clouds[wanted];
    if (!entry) {
      const file = loaded.cloudsFile ?? 'no clouds.yaml was found';
      throw new ConfigError(
        `cloud "${wanted}" is not defined (${loaded.cloudsFile ? `clouds in ${file}: ${names.join(', ') || 'none'}` : file})`,
        {
          hint: loaded.cloudsFile
            ? `Use one of: ${names.join(', ') || '(none)'}; or set OS_CLIENT_CONFIG_FILE to the clouds.yaml that defines "${wanted}".`
            : `Searched: ${cloudsSearchList(search).join(', ')}. Set OS_CLIENT_CONFIG_FILE to your clouds.yaml.`,
        },
      );
    }
    return buildCloud(wanted, entry, describing, loaded, region);
  }
  if (Object.keys(describing).length > 0) {
    return buildCloud(str(env['cloud_name']) ?? 'envvars', {}, describing, loaded, region);
  }
  if (names.length === 1)
    return buildCloud(names[0] as string, loaded.clouds[names[0] as string] as Dict, {}, loaded, region);
  throw new ConfigError(
    names.length === 0
      ? 'no cloud is configured: no clouds.yaml was found and no OS_* variables are set'
      : `several clouds are configured (${names.join(', ')}) and none was chosen`,
    {
      hint:
        names.length === 0
          ? `Create clouds.yaml (searched: ${cloudsSearchList(search).join(', ')}) or source an openrc file.`
          : 'Pass --cloud NAME or set OS_CLOUD.',
    },
  );
}

/** Every configured cloud, without authenticating or reading secrets into the result. */
export function listClouds(search: SearchEnvironment = defaultSearchEnvironment()): CloudSummary[] {
  const loaded = loadAll(search);
  const summaries: CloudSummary[] = Object.entries(loaded.clouds).map(([name, entry]) => {
    const auth: Dict = {
      ...(isDict(entry['auth']) ? entry['auth'] : {}),
      ...Object.fromEntries(Object.entries(entry).filter(([k]) => AUTH_KEYS.has(k))),
    };
    return {
      name,
      authUrl: str(auth['auth_url']),
      authType: str(entry['auth_type']) ?? 'password',
      regionName: str(entry['region_name']),
      project: str(auth['project_name']) ?? str(auth['project_id']) ?? str(auth['tenant_name']),
      user:
        str(auth['username']) ??
        str(auth['user_id']) ??
        (auth['application_credential_id'] ? `appcred ${str(auth['application_credential_id'])}` : undefined),
      file: loaded.cloudsFile,
    };
  });
  const describing = Object.keys(loaded.env).filter((k) => !SELECTORS.has(k));
  if (describing.length > 0) {
    summaries.push({
      name: str(loaded.env['cloud_name']) ?? 'envvars',
      authUrl: str(loaded.env['auth_url']),
      authType: str(loaded.env['auth_type']) ?? 'password',
      regionName: str(loaded.env['region_name']),
      project: str(loaded.env['project_name']) ?? str(loaded.env['project_id']),
      user: str(loaded.env['username']) ?? str(loaded.env['user_id']),
      file: undefined,
    });
  }
  return summaries;
}
