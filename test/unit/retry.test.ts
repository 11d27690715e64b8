import { Readable } from 'node:stream';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InterruptedError, TlsError, TransportError } from '../../src/core/errors.js';
import { HttpClient, type AuthProvider, type HttpRequest } from '../../src/openstack/http/client.js';
import {
  AuthenticationError,
  QuotaExceededError,
  RateLimitedError,
  ServerError,
} from '../../src/openstack/http/errors.js';
import { defaultRetryPolicy, retryDelay, type RetryPolicy } from '../../src/openstack/http/retry.js';
import { errorExchange, loadFixture, wireBody, type Exchange, type Scenario } from '../support/fixture.js';
import { replaySession } from '../support/replay.js';

const ORIGIN = 'http://svc.cloud.test';
const JSON_HEADERS = { 'content-type': 'application/json' };

let agent: MockAgent | undefined;
let waits: number[];

function client(options: { retry?: RetryPolicy; fakeSleep?: boolean } = {}): HttpClient {
  agent = new MockAgent();
  agent.disableNetConnect();
  waits = [];
  return new HttpClient({
    dispatcher: agent,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.fakeSleep === false
      ? {}
      : {
          sleep: (ms: number) => {
            waits.push(ms);
            return Promise.resolve();
          },
        }),
  });
}

const pool = () => {
  if (!agent) throw new Error('make the client first');
  return agent.get(ORIGIN);
};
const get = (path = '/v1/things'): HttpRequest => ({ method: 'GET', url: `${ORIGIN}${path}`, ok: [200] });
const post = (path = '/v1/things'): HttpRequest => ({
  method: 'POST',
  url: `${ORIGIN}${path}`,
  json: { thing: { name: 'x' } },
  ok: [201],
});

/** Reply once with the recorded error response of a fixture. */
function replyRecorded(name: Scenario, method: string, path: string): Exchange['response'] {
  const { response } = errorExchange(name);
  pool()
    .intercept({ path, method })
    .reply(response.status, wireBody(response.body), { headers: response.headers });
  return response;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (err: unknown) => err,
  );
}

afterEach(async () => {
  vi.useRealTimers();
  await agent?.close();
  agent = undefined;
});

describe('retries through a real HttpClient', () => {
  it('succeeds after one retry when a 503 is followed by a 200', async () => {
    const http = client();
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(503, 'busy');
    pool()
      .intercept({ path: '/v1/things', method: 'GET' })
      .reply(200, { things: [1] }, { headers: JSON_HEADERS });
    const res = await http.json<{ things: number[] }>(get());
    expect(res.data).toEqual({ things: [1] });
    expect(http.stats).toMatchObject({ requests: 2, retries: 1 });
    expect(waits).toHaveLength(1);
    // First backoff: half to all of the 500 ms base.
    expect(waits[0]).toBeGreaterThanOrEqual(250);
    expect(waits[0]).toBeLessThanOrEqual(500);
  });

  it('waits exactly the 2 s a 429 asks for in Retry-After (fake clock)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const http = client({ fakeSleep: false });
    pool()
      .intercept({ path: '/v1/things', method: 'GET' })
      .reply(429, 'slow down', { headers: { 'retry-after': '2' } });
    pool()
      .intercept({ path: '/v1/things', method: 'GET' })
      .reply(200, { ok: true }, { headers: JSON_HEADERS });
    let settled = false;
    const done = http.json(get()).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(settled).toBe(false);
    expect(http.stats.requests).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(settled).toBe(true);
    expect(http.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  it('hands the Retry-After delay to the injected sleep', async () => {
    const http = client();
    pool()
      .intercept({ path: '/v1/things', method: 'GET' })
      .reply(503, '', { headers: { 'retry-after': '2' } });
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(200, {}, { headers: JSON_HEADERS });
    await http.json(get());
    expect(waits).toEqual([2000]);
  });

  it('gives up at once when Retry-After is longer than the policy allows', async () => {
    const http = client();
    pool()
      .intercept({ path: '/v1/things', method: 'GET' })
      .reply(429, '', { headers: { 'retry-after': '3600' } });
    const err = await rejection(http.json(get()));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfter).toBe(3600);
    expect(http.stats.requests).toBe(1);
    expect(waits).toEqual([]);
  });

  it('does not retry a POST that got a 500 (it may have half-done the work)', async () => {
    const http = client();
    pool().intercept({ path: '/v1/things', method: 'POST' }).reply(500, 'boom');
    const err = await rejection(http.json(post()));
    expect(err).toBeInstanceOf(ServerError);
    expect(http.stats).toMatchObject({ requests: 1, retries: 0 });
  });

  it('retries a GET that got a 500', async () => {
    const http = client();
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(500, 'boom');
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(200, {}, { headers: JSON_HEADERS });
    await http.json(get());
    expect(http.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  it('retries a POST that got a 502 from the proxy in front of the service', async () => {
    const http = client();
    pool().intercept({ path: '/v1/things', method: 'POST' }).reply(502, 'bad gateway');
    pool().intercept({ path: '/v1/things', method: 'POST' }).reply(201, {}, { headers: JSON_HEADERS });
    await http.json(post());
    expect(http.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  it.each([
    ['nova-403-quota', 'compute'],
    ['cinder-413-quota', 'block-storage'],
    ['neutron-409-quota', 'network'],
  ] as const)(
    'never retries the recorded %s refusal, even of an idempotent request',
    async (name, service) => {
      const http = client();
      replyRecorded(name, 'POST', '/v1/things');
      const err = await rejection(http.json({ ...post(), service, idempotent: true }));
      expect(err).toBeInstanceOf(QuotaExceededError);
      expect(http.stats).toMatchObject({ requests: 1, retries: 0 });
      expect(waits).toEqual([]);
    },
  );

  it('retries a GET whose connection was reset', async () => {
    const http = client();
    pool()
      .intercept({ path: '/v1/things', method: 'GET' })
      .replyWithError(Object.assign(new Error('other side closed'), { code: 'ECONNRESET' }));
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(200, { ok: 1 }, { headers: JSON_HEADERS });
    expect((await http.json(get())).data).toEqual({ ok: 1 });
    expect(http.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  it('does not retry a POST whose connection was reset (it may have been processed)', async () => {
    const http = client();
    pool()
      .intercept({ path: '/v1/things', method: 'POST' })
      .replyWithError(Object.assign(new Error('other side closed'), { code: 'ECONNRESET' }));
    const err = await rejection(http.json(post()));
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).maybeProcessed).toBe(true);
    expect(http.stats.requests).toBe(1);
  });

  it('retries a POST whose connection was refused (it was never sent)', async () => {
    const http = client();
    pool()
      .intercept({ path: '/v1/things', method: 'POST' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    pool().intercept({ path: '/v1/things', method: 'POST' }).reply(201, {}, { headers: JSON_HEADERS });
    await http.json(post());
    expect(http.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  it('never replays a one-shot stream body', async () => {
    const http = client();
    let opened = 0;
    pool().intercept({ path: '/v1/upload', method: 'PUT' }).reply(503, 'busy');
    const err = await rejection(
      http.json({
        method: 'PUT',
        url: `${ORIGIN}/v1/upload`,
        ok: [204],
        body: {
          open: () => {
            opened++;
            return Readable.from([Buffer.from('bytes')]);
          },
          replayable: false,
        },
      }),
    );
    expect(err).toBeInstanceOf(ServerError);
    expect(opened).toBe(1);
    expect(http.stats.requests).toBe(1);
  });

  it('reopens a replayable stream body for each attempt', async () => {
    const http = client();
    let opened = 0;
    pool().intercept({ path: '/v1/upload', method: 'PUT' }).reply(503, 'busy');
    pool().intercept({ path: '/v1/upload', method: 'PUT' }).reply(204, '');
    await http.json({
      method: 'PUT',
      url: `${ORIGIN}/v1/upload`,
      ok: [204],
      body: {
        open: () => {
          opened++;
          return Readable.from([Buffer.from('bytes')]);
        },
        replayable: true,
      },
    });
    expect(opened).toBe(2);
  });

  it('stops after maxAttempts attempts and throws the last error', async () => {
    const http = client({ retry: { ...defaultRetryPolicy, maxAttempts: 3 } });
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(503, 'busy').times(5);
    const err = await rejection(http.json(get()));
    expect(err).toBeInstanceOf(ServerError);
    expect(http.stats).toMatchObject({ requests: 3, retries: 2 });
    expect(waits).toHaveLength(2);
  });

  it('ends the backoff with InterruptedError when the signal aborts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const http = client({ fakeSleep: false });
    pool()
      .intercept({ path: '/v1/things', method: 'GET' })
      .reply(503, '', { headers: { 'retry-after': '60' } });
    const controller = new AbortController();
    const done = rejection(http.json({ ...get(), signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    expect(await done).toBeInstanceOf(InterruptedError);
    expect(http.stats.requests).toBe(1);
  });
});

describe('re-authentication on 401', () => {
  function tokens(): AuthProvider & { invalidations: number; issued: number } {
    const auth = {
      invalidations: 0,
      issued: 0,
      current: undefined as string | undefined,
      authHeaders: () => {
        if (!auth.current) auth.current = `token-${++auth.issued}`;
        return Promise.resolve({ 'x-auth-token': auth.current });
      },
      invalidate: () => {
        auth.invalidations++;
        auth.current = undefined;
      },
    };
    return auth;
  }

  it('re-authenticates exactly once after a 401, then succeeds with the new token', async () => {
    const http = client();
    const auth = tokens();
    http.auth = auth;
    const seen: string[] = [];
    const reply = (status: number) => (opts: { headers?: unknown }) => {
      seen.push(String((opts.headers as Record<string, string>)['x-auth-token']));
      return { statusCode: status, data: '{}', responseOptions: { headers: JSON_HEADERS } };
    };
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(reply(401));
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(reply(200));
    await http.json(get());
    expect(seen).toEqual(['token-1', 'token-2']);
    expect(auth.invalidations).toBe(1);
    expect(http.stats).toMatchObject({ requests: 2, reauthentications: 1, retries: 0 });
  });

  it('does not count the re-authentication as a retry attempt', async () => {
    const http = client({ retry: { ...defaultRetryPolicy, maxAttempts: 2 } });
    http.auth = tokens();
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(401, '{}');
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(503, 'busy');
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(200, {}, { headers: JSON_HEADERS });
    await http.json(get());
    expect(http.stats).toMatchObject({ requests: 3, reauthentications: 1, retries: 1 });
  });

  it('raises AuthenticationError on a second 401', async () => {
    const http = client();
    const auth = tokens();
    http.auth = auth;
    pool().intercept({ path: '/v1/things', method: 'GET' }).reply(401, '{}').times(3);
    const err = await rejection(http.json(get()));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(auth.invalidations).toBe(1);
    expect(http.stats).toMatchObject({ requests: 2, reauthentications: 1 });
  });

  it('does not re-send a one-shot body after a 401, but still drops the token', async () => {
    const http = client();
    const auth = tokens();
    http.auth = auth;
    pool().intercept({ path: '/v1/upload', method: 'PUT' }).reply(401, '{}');
    const err = await rejection(
      http.json({
        method: 'PUT',
        url: `${ORIGIN}/v1/upload`,
        ok: [204],
        body: { open: () => Readable.from([Buffer.from('x')]), replayable: false },
      }),
    );
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(auth.invalidations).toBe(1);
    expect(http.stats.requests).toBe(1);
  });

  it('makes a Session fetch a new token from Keystone after a 401 and repeat the request', async () => {
    const FLAVORS = 'GET http://compute.cloud.test/v2.1/flavors/detail?limit=2&sort_key=name&sort_dir=asc';
    const flavors = loadFixture('nova-flavors-pages');
    const [token, discovery, page1, page2, page3] = flavors as [
      Exchange,
      Exchange,
      Exchange,
      Exchange,
      Exchange,
    ];
    // keystonemiddleware answers an expired token with the same body Keystone gives a wrong password.
    const expired: Exchange = {
      request: page1.request,
      response: errorExchange('keystone-401-wrong-password').response,
    };
    const { rp, session } = await replaySession([[token, discovery, expired, token, page1, page2, page3]]);
    const names: string[] = [];
    for await (const f of session.list<{ name: string }>('compute', 'flavors/detail', 'flavors', {
      limit: 2,
      sort_key: 'name',
      sort_dir: 'asc',
    }))
      names.push(f.name);
    expect(names).toEqual(['ds.nano', 'm1.medium', 'm1.small', 'm1.tiny']);
    expect(rp.callLines()).toEqual([
      'POST http://identity.cloud.test/v3/auth/tokens',
      'GET http://compute.cloud.test/v2.1',
      `${FLAVORS}`,
      'POST http://identity.cloud.test/v3/auth/tokens',
      `${FLAVORS}`,
      `${FLAVORS}&marker=00000000-0000-4000-8000-000000000006`,
      `${FLAVORS}&marker=00000000-0000-4000-8000-000000000008`,
    ]);
    expect(session.http.stats.reauthentications).toBe(1);
    rp.assertDone();
    await session.close();
  });
});

describe('retryDelay', () => {
  const ctx = { method: 'GET', replayable: true, idempotent: true };
  const busy = new ServerError('E_HTTP_SERVER', 1, { method: 'GET', url: 'http://x', status: 503 });

  it('doubles the backoff per attempt up to maxDelayMs, with jitter between half and all of it', () => {
    const policy: RetryPolicy = {
      maxAttempts: 10,
      baseDelayMs: 500,
      maxDelayMs: 3_000,
      maxRetryAfterMs: 60_000,
    };
    expect([1, 2, 3, 4, 5].map((a) => retryDelay(busy, a, ctx, policy, () => 1))).toEqual([
      500, 1000, 2000, 3000, 3000,
    ]);
    expect([1, 2, 3].map((a) => retryDelay(busy, a, ctx, policy, () => 0))).toEqual([250, 500, 1000]);
  });

  it('gives up on the last attempt and for a body that cannot be replayed', () => {
    expect(retryDelay(busy, defaultRetryPolicy.maxAttempts, ctx)).toBeUndefined();
    expect(retryDelay(busy, 1, { ...ctx, replayable: false })).toBeUndefined();
  });

  it('does not retry errors that are not transient', () => {
    expect(retryDelay(new Error('a bug'), 1, ctx)).toBeUndefined();
  });

  it('does not retry a refused certificate: the next attempt would be refused the same way', () => {
    const tls = new TlsError('POST', 'https://keystone.test/v3/auth/tokens', 'self-signed certificate', true);
    expect(retryDelay(tls, 1, { ...ctx, idempotent: true })).toBeUndefined();
    const reset = new TransportError('GET', 'https://svc.test/', 'other side closed', true);
    expect(retryDelay(reset, 1, { ...ctx, idempotent: true })).toBeDefined();
  });
});
