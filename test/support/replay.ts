import { isDeepStrictEqual } from 'node:util';
import { MockAgent } from 'undici';
import type { CloudConfig } from '../../src/openstack/config/types.js';
import { Session, type SessionOptions } from '../../src/openstack/session/session.js';
import { loadFixture, wireBody, type Exchange, type Scenario } from './fixture.js';
import { maskSecretFields, parseBody } from './normalise.js';

/** A request the code under test actually sent (body parsed when it was JSON). */
export interface ReplayedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface Replay {
  /** Pass as `dispatcher` to `Session.connect` or `new HttpClient`. */
  readonly agent: MockAgent;
  /** Every request made, in order (openstacksdk `assert_calls` style). */
  readonly calls: ReplayedCall[];
  /** Requests that did not match the next recorded exchange. */
  readonly problems: string[];
  /** `"GET http://…"` for each call, for one readable `toEqual`. */
  callLines(): string[];
  /** Fails unless every recorded exchange was replayed, in order, and nothing else was asked. */
  assertDone(): void;
  close(): Promise<void>;
}

/** The status a request gets when it is not the one the recording expects next. */
export const MISMATCH_STATUS = 418;

function headerMap(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || typeof headers !== 'object') return out;
  const entries: Iterable<[string, unknown]> =
    Symbol.iterator in headers
      ? (headers as Iterable<[string, unknown]>)
      : Object.entries(headers as Record<string, unknown>);
  for (const [k, v] of entries) {
    if (typeof v === 'string' || typeof v === 'number') out[k.toLowerCase()] = String(v);
    else if (Array.isArray(v)) out[k.toLowerCase()] = v.map(String).join(', ');
  }
  return out;
}

function bodyOf(body: unknown): unknown {
  if (typeof body === 'string') return parseBody(body);
  if (body instanceof Uint8Array) return parseBody(Buffer.from(body).toString('utf8'));
  return body === null || body === undefined ? null : '<stream>';
}

/**
 * A MockAgent (no network) that answers with the recorded exchanges of one or more fixtures,
 * strictly in order. A request that is not the next one recorded (method, URL, the recorded
 * request headers, the body with its secrets masked) is answered with 418 and noted in
 * `problems`, so the code under test fails at once instead of retrying.
 */
export function replay(...sources: (Scenario | Exchange[])[]): Replay {
  const script: Exchange[] = sources.flatMap((s) => (typeof s === 'string' ? loadFixture(s) : s));
  const calls: ReplayedCall[] = [];
  const problems: string[] = [];
  const agent = new MockAgent();
  agent.disableNetConnect();
  let next = 0;

  agent
    .get(() => true)
    .intercept({ path: () => true, method: () => true })
    .reply((opts) => {
      const call: ReplayedCall = {
        method: opts.method,
        url: `${String(opts.origin ?? '').replace(/\/+$/, '')}${opts.path}`,
        headers: headerMap(opts.headers),
        body: bodyOf(opts.body),
      };
      calls.push(call);
      const expected = script[next];
      const problem = mismatch(call, expected, next);
      if (problem) {
        problems.push(problem);
        return {
          statusCode: MISMATCH_STATUS,
          data: JSON.stringify({ replay: { message: problem } }),
          responseOptions: { headers: { 'content-type': 'application/json' } },
        };
      }
      next++;
      const res = (expected as Exchange).response;
      return { statusCode: res.status, data: wireBody(res.body), responseOptions: { headers: res.headers } };
    })
    .persist();

  return {
    agent,
    calls,
    problems,
    callLines: () => calls.map((c) => `${c.method} ${c.url}`),
    assertDone() {
      const left = script.slice(next).map((e) => `${e.request.method} ${e.request.url}`);
      if (problems.length || left.length) {
        throw new Error(
          [
            ...problems,
            ...(left.length ? [`${left.length} recorded exchanges were never requested:`, ...left] : []),
          ].join('\n'),
        );
      }
    },
    close: () => agent.close(),
  };
}

function mismatch(call: ReplayedCall, expected: Exchange | undefined, index: number): string | undefined {
  const what = `${call.method} ${call.url}`;
  if (!expected) return `request #${index + 1} ${what} was not recorded (the recording has ${index})`;
  const want = `${expected.request.method} ${expected.request.url}`;
  if (what !== want) return `request #${index + 1} was ${what}, the recording expects ${want}`;
  for (const [name, value] of Object.entries(expected.request.headers)) {
    if (call.headers[name] !== value)
      return `request #${index + 1} ${what}: header ${name} is ${call.headers[name] ?? '(absent)'}, recorded ${value}`;
  }
  const body = maskSecretFields(call.body);
  if (!isDeepStrictEqual(body, expected.request.body)) {
    return `request #${index + 1} ${what}: body ${JSON.stringify(body)} differs from the recorded ${JSON.stringify(expected.request.body)}`;
  }
  return undefined;
}

export const REPLAY_PASSWORD = 'replay-password';

/** The cloud the fixtures were recorded with, as seen through normalisation. */
export function replayCloud(overrides: Partial<CloudConfig> = {}): CloudConfig {
  return {
    name: 'src',
    authType: 'password',
    auth: {
      auth_url: 'http://identity.cloud.test/v3',
      username: 'src-user',
      password: REPLAY_PASSWORD,
      project_name: 'src',
      user_domain_name: 'Default',
      project_domain_name: 'Default',
    },
    regionName: 'RegionOne',
    interface: 'public',
    verify: true,
    cacert: undefined,
    cert: undefined,
    key: undefined,
    apiTimeoutMs: undefined,
    endpointOverrides: {},
    interfaceOverrides: {},
    source: { cloudsFile: undefined, secureFile: undefined, fromEnvironment: [] },
    ...overrides,
  };
}

/** Replay `sources` and connect a Session through them (the first exchange must be the token). */
export async function replaySession(
  sources: (Scenario | Exchange[])[],
  options: SessionOptions & { cloud?: CloudConfig } = {},
): Promise<{ rp: Replay; session: Session }> {
  const rp = replay(...sources);
  const { cloud, ...sessionOptions } = options;
  const session = await Session.connect(cloud ?? replayCloud(), { ...sessionOptions, dispatcher: rp.agent });
  return { rp, session };
}
