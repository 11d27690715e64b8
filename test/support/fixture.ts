import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * One recorded HTTP exchange, normalised (see normalise.ts). Bodies that were JSON are stored
 * parsed, so that fixture diffs read like the documents they are; anything else is a string.
 */
export interface RecordedRequest {
  method: string;
  url: string;
  /** The headers a replay checks (a subset; see REQUEST_HEADERS). */
  headers: Record<string, string>;
  body: unknown;
}

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface Exchange {
  request: RecordedRequest;
  response: RecordedResponse;
}

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Request headers kept in a recording: the ones that change what the service does. */
export const REQUEST_HEADERS = [
  'accept',
  'content-type',
  'x-auth-token',
  'openstack-api-version',
  'x-openstack-nova-api-version',
] as const;

/** Response headers kept in a recording: the ones Downpour reads. */
export const RESPONSE_HEADERS = [
  'content-type',
  'location',
  'link',
  'retry-after',
  'x-subject-token',
  'x-openstack-request-id',
  'x-compute-request-id',
  'openstack-api-version',
  'x-openstack-nova-api-version',
] as const;

/** The scenarios `npm run fixtures:record` writes, one file each. */
export type Scenario =
  | 'token-password'
  | 'discovery'
  | 'nova-flavors-pages'
  | 'neutron-networks-pages'
  | 'glance-images-pages'
  | 'cinder-volumes-pages'
  | 'keystone-projects'
  | 'keystone-401-wrong-password'
  | 'nova-404'
  | 'neutron-404'
  | 'glance-404'
  | 'cinder-404'
  | 'neutron-409-duplicate-rule'
  | 'nova-406-microversion'
  | 'nova-403-quota'
  | 'cinder-413-quota'
  | 'neutron-409-quota';

export function fixturePath(name: Scenario): string {
  return `${FIXTURES_DIR}${name}.json`;
}

export function loadFixture(name: Scenario): Exchange[] {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as Exchange[];
}

/** The one exchange of a fixture whose request matches, for tests that pick a recorded body. */
export function recordedExchange(name: Scenario, method: string, urlPart: string | RegExp): Exchange {
  const found = loadFixture(name).find(
    (e) =>
      e.request.method === method &&
      (typeof urlPart === 'string' ? e.request.url.includes(urlPart) : urlPart.test(e.request.url)),
  );
  if (!found) throw new Error(`fixture ${name} has no ${method} ${String(urlPart)}`);
  return found;
}

/** The last failed exchange of a fixture: the error an error scenario was recorded for. */
export function errorExchange(name: Scenario): Exchange {
  const found = loadFixture(name).findLast((e) => e.response.status >= 400);
  if (!found) throw new Error(`fixture ${name} has no error response`);
  return found;
}

/** The body of a recorded response as the wire text it came in. */
export function wireBody(body: unknown): string {
  if (body === null || body === undefined) return '';
  return typeof body === 'string' ? body : JSON.stringify(body);
}
