import { ConfigError } from '../../core/errors.js';
import type { AuthOptions, CloudConfig } from '../config/types.js';
import type { CatalogEntry } from './catalog.js';

/** What Keystone tells us about a token (the token itself travels only in memory). */
export interface TokenInfo {
  token: string;
  expiresAt: Date;
  catalog: CatalogEntry[];
  project: { id: string; name: string; domain: { id: string; name?: string } } | undefined;
  user: { id: string; name: string; domain?: { id: string; name?: string } };
  roles: string[];
}

/** Wire shape of the token body Keystone returns. */
export interface KeystoneTokenBody {
  token: {
    expires_at: string;
    methods: string[];
    catalog?: CatalogEntry[];
    project?: { id: string; name: string; domain: { id: string; name?: string } };
    user: { id: string; name: string; domain?: { id: string; name?: string } };
    roles?: { id: string; name: string }[];
  };
}

/** POST target for a token: keystoneauth appends /v3/auth/tokens unless auth_url already ends in v3. */
export function tokenUrl(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? `${base}/auth/tokens` : `${base}/v3/auth/tokens`;
}

function domainRef(
  id: string | undefined,
  name: string | undefined,
): { id: string } | { name: string } | undefined {
  if (name) return { name };
  if (id) return { id };
  return undefined;
}

function userRef(a: AuthOptions): Record<string, unknown> {
  // _name beats _id, as in the openstack CLI; a user name needs a domain, "default" when none is given.
  if (a.username) {
    const domain = domainRef(a.user_domain_id, a.user_domain_name) ??
      domainRef(a.domain_id, a.domain_name) ??
      domainRef(a.default_domain_id, a.default_domain_name) ?? { id: 'default' };
    return { name: a.username, domain };
  }
  return { id: a.user_id };
}

function scopeOf(a: AuthOptions, cloudName: string): Record<string, unknown> | undefined {
  if (a.project_name) {
    const domain = domainRef(a.project_domain_id, a.project_domain_name) ??
      domainRef(a.domain_id, a.domain_name) ??
      domainRef(a.default_domain_id, a.default_domain_name) ?? { id: 'default' };
    return { project: { name: a.project_name, domain } };
  }
  if (a.project_id) return { project: { id: a.project_id } };
  throw new ConfigError(`cloud "${cloudName}" names no project (project_name or project_id)`, {
    hint: 'Downpour works inside one project: add auth.project_name (and project_domain_name) to the cloud entry.',
  });
}

/** The body of POST /v3/auth/tokens for the cloud's auth type. Holds secrets: never log it. */
export function tokenRequestBody(cloud: CloudConfig): Record<string, unknown> {
  const a = cloud.auth;
  switch (cloud.authType) {
    case 'v3applicationcredential': {
      const credential: Record<string, unknown> = { secret: a.application_credential_secret };
      if (a.application_credential_id) credential['id'] = a.application_credential_id;
      else {
        credential['name'] = a.application_credential_name;
        credential['user'] = userRef(a);
      }
      // The scope comes from the application credential; Keystone refuses an explicit one.
      return {
        auth: { identity: { methods: ['application_credential'], application_credential: credential } },
      };
    }
    case 'token':
    case 'v3token':
      return {
        auth: { identity: { methods: ['token'], token: { id: a.token } }, scope: scopeOf(a, cloud.name) },
      };
    case 'password':
    case 'v3password':
      return {
        auth: {
          identity: { methods: ['password'], password: { user: { ...userRef(a), password: a.password } } },
          scope: scopeOf(a, cloud.name),
        },
      };
  }
}

export function tokenInfoFrom(token: string, body: KeystoneTokenBody): TokenInfo {
  const t = body.token;
  return {
    token,
    expiresAt: new Date(t.expires_at),
    catalog: t.catalog ?? [],
    project: t.project,
    user: t.user,
    roles: (t.roles ?? []).map((r) => r.name),
  };
}
