import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { ConfigError, DownpourError, ExitCode } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { registerSecret } from '../../core/redact.js';
import type { CloudConfig, Interface } from '../config/types.js';
import {
  HttpClient,
  type BodySource,
  type HttpClientOptions,
  type HttpResponse,
  type Method,
  type QueryValue,
} from '../http/client.js';
import { AuthenticationError, HttpError } from '../http/errors.js';
import { paginate } from '../http/paginate.js';
import { tokenInfoFrom, tokenRequestBody, tokenUrl, type KeystoneTokenBody, type TokenInfo } from './auth.js';
import { officialServiceType, requireEndpoint } from './catalog.js';
import { majorVersionOf, microversionRange, rootOf, versionEntries, type VersionEntry } from './discovery.js';
import { compareVersions, microversionHeaders, negotiate, type VersionRange } from './microversion.js';

/** The newest microversion whose behaviour this client's code understands, per service. */
export const CLIENT_MAX_MICROVERSION: Record<string, string> = {
  compute: '2.100',
  'block-storage': '3.71',
};

/** Re-authenticate this long before the token expires (keystoneauth uses the same margin). */
const REFRESH_MARGIN_MS = 120_000;

export interface ServiceRequest {
  method?: Method;
  /** Relative to the service endpoint ("servers/detail"), or an absolute URL. */
  path: string;
  query?: Record<string, QueryValue>;
  json?: unknown;
  body?: BodySource;
  headers?: Record<string, string>;
  ok?: readonly number[];
  /** Override the negotiated microversion for this one request. */
  microversion?: string;
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface ServiceVersionInfo {
  endpoint: string;
  versions: VersionEntry[];
  microversions: VersionRange | undefined;
  negotiated: string | undefined;
}

export interface SessionOptions extends Omit<HttpClientOptions, 'tls'> {
  logger?: Logger;
}

const defaultOk: Record<Method, readonly number[]> = {
  GET: [200, 203],
  HEAD: [200, 204],
  POST: [200, 201, 202, 204],
  PUT: [200, 201, 202, 204],
  PATCH: [200, 202, 204],
  DELETE: [202, 204],
};

/**
 * An authenticated connection to one cloud and project: tokens (refreshed before expiry and
 * once on 401), the catalog, version discovery and microversion negotiation. Every request
 * of the resource modules goes through `json`, `stream` or `list`.
 */
export class Session {
  readonly cloud: CloudConfig;
  readonly http: HttpClient;
  readonly logger: Logger;
  private tokenInfo: TokenInfo | undefined;
  private pendingAuth: Promise<TokenInfo> | undefined;
  private readonly versionCache = new Map<string, Promise<ServiceVersionInfo>>();

  private constructor(cloud: CloudConfig, options: SessionOptions) {
    this.cloud = cloud;
    this.logger = options.logger ?? silentLogger;
    const read = (file: string | undefined, what: string) => {
      if (!file) return undefined;
      try {
        return readFileSync(file);
      } catch (err) {
        throw new ConfigError(
          `cloud "${cloud.name}": cannot read ${what} ${file}: ${(err as Error).message}`,
        );
      }
    };
    this.http = new HttpClient({
      ...options,
      ...(cloud.apiTimeoutMs === undefined ? {} : { silenceMs: cloud.apiTimeoutMs }),
      logger: this.logger,
      tls: {
        verify: cloud.verify,
        ...(cloud.cacert && cloud.verify ? { ca: read(cloud.cacert, 'cacert') as Buffer } : {}),
        ...(cloud.cert ? { cert: read(cloud.cert, 'cert') as Buffer } : {}),
        ...(cloud.key ? { key: read(cloud.key, 'key') as Buffer } : {}),
      },
    });
    this.http.auth = {
      authHeaders: async (signal) => ({ 'x-auth-token': (await this.token(signal)).token }),
      invalidate: () => {
        this.tokenInfo = undefined;
      },
    };
  }

  /** Authenticate and return a ready session. */
  static async connect(cloud: CloudConfig, options: SessionOptions = {}): Promise<Session> {
    const session = new Session(cloud, options);
    await session.token();
    return session;
  }

  /** The current token, re-authenticating when it is missing or about to expire. */
  async token(signal?: AbortSignal): Promise<TokenInfo> {
    const current = this.tokenInfo;
    if (current && current.expiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS) return current;
    this.pendingAuth ??= this.authenticate(signal).finally(() => {
      this.pendingAuth = undefined;
    });
    return this.pendingAuth;
  }

  private async authenticate(signal?: AbortSignal): Promise<TokenInfo> {
    const url = tokenUrl(this.cloud.auth.auth_url);
    let res: HttpResponse<KeystoneTokenBody>;
    try {
      res = await this.http.json<KeystoneTokenBody>({
        method: 'POST',
        url,
        json: tokenRequestBody(this.cloud),
        ok: [201],
        service: 'identity',
        authenticated: false,
        logBody: false,
        // Asking for a token twice is harmless.
        idempotent: true,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (err instanceof AuthenticationError) {
        throw new DownpourError(
          'E_AUTH_FAILED',
          ExitCode.auth,
          `Keystone refused the credentials of cloud "${this.cloud.name}" (${err.status}${err.fault ? `: ${err.fault}` : ''})`,
          {
            cause: err,
            hint: 'Check username, password (or application credential), project and domain names in clouds.yaml; `openstack --os-cloud NAME token issue` uses the same file.',
          },
        );
      }
      if (err instanceof HttpError && err.status === 404 && /auth\/tokens/.test(err.url)) {
        // Keystone answers wrong credentials with 401; a 404 here is another server, or a wrong path.
        throw new DownpourError(
          'E_NOT_KEYSTONE',
          ExitCode.unreachable,
          `cloud "${this.cloud.name}": ${err.url} is not Keystone's v3 token API (it answered 404)`,
          {
            cause: err,
            hint: 'Check auth_url in clouds.yaml: it is usually https://HOST:5000/v3 (or .../identity/v3), as `openstack --os-cloud NAME token issue` would use it.',
          },
        );
      }
      throw err;
    }
    const token = String(res.headers['x-subject-token'] ?? '');
    if (!token)
      throw new DownpourError(
        'E_AUTH_FAILED',
        ExitCode.auth,
        'Keystone answered without an X-Subject-Token header',
      );
    registerSecret(token);
    const info = tokenInfoFrom(token, res.data);
    if (!info.project) {
      throw new DownpourError(
        'E_AUTH_SCOPE',
        ExitCode.auth,
        `the token of cloud "${this.cloud.name}" is not scoped to a project`,
        {
          hint: 'Name a project in clouds.yaml (project_name and project_domain_name).',
        },
      );
    }
    this.tokenInfo = info;
    this.logger.debug(
      `authenticated as ${info.user.name} in project ${info.project.name}; token expires ${info.expiresAt.toISOString()}`,
    );
    return info;
  }

  get project(): { id: string; name: string } {
    if (!this.tokenInfo?.project) throw new Error('session is not authenticated');
    return { id: this.tokenInfo.project.id, name: this.tokenInfo.project.name };
  }

  /** The authenticated user (Swift ACLs name users by id). */
  get user(): { id: string; name: string } | undefined {
    return this.tokenInfo ? { id: this.tokenInfo.user.id, name: this.tokenInfo.user.name } : undefined;
  }

  get catalog() {
    return this.tokenInfo?.catalog ?? [];
  }

  get roles(): string[] {
    return this.tokenInfo?.roles ?? [];
  }

  /** Forget the token, as if it had expired (tests of re-authentication). */
  forgetToken(): void {
    this.tokenInfo = undefined;
  }

  interfaceFor(service: string): Interface {
    return this.cloud.interfaceOverrides[officialServiceType(service)] ?? this.cloud.interface;
  }

  /** The endpoint URL of a service type, from `<service>_endpoint_override` or the catalog. */
  async endpoint(service: string, signal?: AbortSignal): Promise<string> {
    const official = officialServiceType(service);
    const override = this.cloud.endpointOverrides[official];
    if (override) return override.replace(/\/+$/, '');
    const info = await this.token(signal);
    let url = requireEndpoint(
      info.catalog,
      official,
      this.interfaceFor(official),
      this.cloud.regionName,
    ).replace(/\/+$/, '');
    // Some catalogs register Neutron and Glance without their version; our paths start below it.
    if (official === 'network' && !/\/v2\.0$/.test(url)) url = `${url}/v2.0`;
    if (official === 'image' && !/\/v2$/.test(url)) url = `${url}/v2`;
    return url;
  }

  /** Version document and negotiated microversion of a service, discovered once per session. */
  versionInfo(service: string, signal?: AbortSignal): Promise<ServiceVersionInfo> {
    const official = officialServiceType(service);
    let cached = this.versionCache.get(official);
    if (!cached) {
      cached = this.discover(official, signal);
      cached.catch(() => this.versionCache.delete(official));
      this.versionCache.set(official, cached);
    }
    return cached;
  }

  private async discover(service: string, signal?: AbortSignal): Promise<ServiceVersionInfo> {
    const endpoint = await this.endpoint(service, signal);
    const major = majorVersionOf(endpoint);
    let entries: VersionEntry[] = [];
    // The versioned endpoint describes itself (Nova, Cinder); the root lists every version (all of them).
    for (const url of [endpoint, rootOf(endpoint)]) {
      try {
        const res = await this.http.json<unknown>({
          method: 'GET',
          url,
          ok: [200, 300],
          service,
          ...(signal ? { signal } : {}),
        });
        entries = versionEntries(res.data);
        if (entries.some((e) => e.max_version || e.version) || url !== endpoint) break;
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        this.logger.debug(`version discovery of ${service} at ${url} failed: ${err.message}`);
      }
    }
    const range = microversionRange(entries, major);
    const clientMax = CLIENT_MAX_MICROVERSION[service];
    const negotiated = clientMax ? negotiate(clientMax, range) : undefined;
    return { endpoint, versions: entries, microversions: range, negotiated };
  }

  /** True when the negotiated microversion of `service` is at least `version`. */
  async supports(service: string, version: string): Promise<boolean> {
    const info = await this.versionInfo(service);
    return info.negotiated !== undefined && compareVersions(info.negotiated, version) >= 0;
  }

  private async prepare(service: string, req: ServiceRequest) {
    const official = officialServiceType(service);
    const method = req.method ?? 'GET';
    const absolute = /^https?:\/\//.test(req.path);
    const endpoint = absolute ? '' : await this.endpoint(official, req.signal);
    const url = absolute ? req.path : `${endpoint}/${req.path.replace(/^\/+/, '')}`;
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (CLIENT_MAX_MICROVERSION[official]) {
      const version = req.microversion ?? (await this.versionInfo(official, req.signal)).negotiated;
      if (version) Object.assign(headers, microversionHeaders(official, version));
    }
    return {
      method,
      url,
      headers,
      ok: req.ok ?? defaultOk[method],
      service: official,
      ...(req.query ? { query: req.query } : {}),
      ...(req.json === undefined ? {} : { json: req.json }),
      ...(req.body ? { body: req.body } : {}),
      ...(req.idempotent === undefined ? {} : { idempotent: req.idempotent }),
      ...(req.signal ? { signal: req.signal } : {}),
    };
  }

  async json<T>(service: string, req: ServiceRequest): Promise<HttpResponse<T>> {
    return this.http.json<T>(await this.prepare(service, req));
  }

  async stream(service: string, req: ServiceRequest): Promise<HttpResponse<Readable>> {
    return this.http.stream(await this.prepare(service, req));
  }

  /**
   * Every item of a collection, page by page, whatever pagination style the service uses.
   * `resourcesKey` is the envelope key ("servers", "ports", "images").
   */
  list<T>(
    service: string,
    path: string,
    resourcesKey: string,
    query: Record<string, string | string[] | number | boolean | undefined> = {},
    options: { signal?: AbortSignal; microversion?: string } = {},
  ): AsyncGenerator<T, void, undefined> {
    return paginate<T>(resourcesKey, query, async (q) => {
      const res = await this.json<Record<string, unknown>>(service, {
        path,
        query: q,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.microversion ? { microversion: options.microversion } : {}),
      });
      const items = res.data?.[resourcesKey];
      if (!Array.isArray(items)) {
        throw new DownpourError(
          'E_HTTP_BAD_BODY',
          ExitCode.unexpected,
          `GET ${path}: the response has no "${resourcesKey}" list`,
        );
      }
      return { items: items as T[], body: res.data, headers: res.headers };
    });
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
