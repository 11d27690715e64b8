export type AuthType = 'password' | 'v3password' | 'v3applicationcredential' | 'token' | 'v3token';
export type Interface = 'public' | 'internal' | 'admin';

/** The `auth:` section after normalisation (snake_case, exactly as clouds.yaml spells it). */
export interface AuthOptions {
  auth_url: string;
  username?: string;
  user_id?: string;
  password?: string;
  user_domain_name?: string;
  user_domain_id?: string;
  project_name?: string;
  project_id?: string;
  project_domain_name?: string;
  project_domain_id?: string;
  domain_name?: string;
  domain_id?: string;
  default_domain_id?: string;
  default_domain_name?: string;
  application_credential_id?: string;
  application_credential_name?: string;
  application_credential_secret?: string;
  token?: string;
  system_scope?: string;
}

/** One resolved cloud: what Downpour needs to authenticate and reach its endpoints. */
export interface CloudConfig {
  /** The name it was selected by (`envvars` when built from OS_* variables). */
  name: string;
  authType: AuthType;
  auth: AuthOptions;
  regionName: string | undefined;
  interface: Interface;
  /** Verify TLS certificates (false when `verify: false` or `insecure: true`). */
  verify: boolean;
  cacert: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  /**
   * `api_timeout` (seconds, as for openstacksdk): how long a request may go without a byte from
   * the endpoint. Undefined: Downpour's default.
   */
  apiTimeoutMs: number | undefined;
  /** `<service>_endpoint_override` by service type (e.g. `compute`, `block-storage`). */
  endpointOverrides: Record<string, string>;
  /** `<service>_interface` overrides by service type. */
  interfaceOverrides: Record<string, Interface>;
  /** Where each piece came from, for `downpour clouds` and error messages. Never holds secrets. */
  source: { cloudsFile: string | undefined; secureFile: string | undefined; fromEnvironment: string[] };
}

/** What `downpour clouds` lists without authenticating. */
export interface CloudSummary {
  name: string;
  authUrl: string | undefined;
  authType: string;
  regionName: string | undefined;
  project: string | undefined;
  user: string | undefined;
  file: string | undefined;
}
