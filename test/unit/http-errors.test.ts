import { afterEach, describe, expect, it } from 'vitest';
import { DownpourError, ExitCode } from '../../src/core/errors.js';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  NotAcceptableError,
  NotFoundError,
  QuotaExceededError,
  RateLimitedError,
  ServerError,
  TooLargeError,
  classifyHttpError,
  parseFault,
  parseRetryAfter,
  requestIdOf,
} from '../../src/openstack/http/errors.js';
import type { Session } from '../../src/openstack/session/session.js';
import { errorExchange, loadFixture, wireBody, type Scenario } from '../support/fixture.js';
import { REPLAY_PASSWORD, replay, replayCloud, replaySession } from '../support/replay.js';
import { Session as SessionClass } from '../../src/openstack/session/session.js';

const init = (status: number, fault?: string) => ({
  method: 'POST',
  url: 'http://svc.cloud.test/thing',
  status,
  ...(fault === undefined ? {} : { fault }),
});

describe('classifyHttpError', () => {
  it.each([
    // status, service, fault, class, code, exit code
    [401, 'compute', undefined, AuthenticationError, 'E_HTTP_UNAUTHORIZED', ExitCode.auth],
    [
      403,
      'compute',
      'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances',
      QuotaExceededError,
      'E_QUOTA',
      ExitCode.preflight,
    ],
    [
      403,
      'compute',
      'Policy does not allow os_compute_api:servers:create to be performed.',
      ForbiddenError,
      'E_HTTP_FORBIDDEN',
      ExitCode.auth,
    ],
    [403, 'network', 'Quota exceeded for resources', ForbiddenError, 'E_HTTP_FORBIDDEN', ExitCode.auth],
    [
      413,
      'block-storage',
      'VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota.',
      QuotaExceededError,
      'E_QUOTA',
      ExitCode.preflight,
    ],
    [
      413,
      'image',
      'Denied because of quota: image_size_total',
      QuotaExceededError,
      'E_QUOTA',
      ExitCode.preflight,
    ],
    [413, 'image', 'Image storage media is full', QuotaExceededError, 'E_QUOTA', ExitCode.preflight],
    [413, 'compute', 'Request is too large.', TooLargeError, 'E_HTTP_TOO_LARGE', ExitCode.unexpected],
    [
      409,
      'network',
      "OverQuota: Quota exceeded for resources: ['port'].",
      QuotaExceededError,
      'E_QUOTA',
      ExitCode.preflight,
    ],
    [
      409,
      'network',
      'SecurityGroupRuleExists: Security group rule already exists.',
      ConflictError,
      'E_HTTP_CONFLICT',
      ExitCode.unexpected,
    ],
    [
      409,
      'compute',
      'Cannot delete instance while it is in task_state image_uploading',
      ConflictError,
      'E_HTTP_CONFLICT',
      ExitCode.unexpected,
    ],
    [429, 'compute', undefined, RateLimitedError, 'E_HTTP_RATE_LIMITED', ExitCode.unexpected],
    [498, 'image', undefined, RateLimitedError, 'E_HTTP_RATE_LIMITED', ExitCode.unexpected],
    [404, 'network', undefined, NotFoundError, 'E_HTTP_NOT_FOUND', ExitCode.unexpected],
    [400, 'compute', 'Invalid input', BadRequestError, 'E_HTTP_BAD_REQUEST', ExitCode.unexpected],
    [
      406,
      'compute',
      'Version 9.99 is not supported by the API.',
      NotAcceptableError,
      'E_HTTP_NOT_ACCEPTABLE',
      ExitCode.preflight,
    ],
    [500, 'block-storage', undefined, ServerError, 'E_HTTP_SERVER', ExitCode.unexpected],
    [503, 'image', undefined, ServerError, 'E_HTTP_SERVER', ExitCode.unexpected],
    [418, 'compute', undefined, HttpError, 'E_HTTP', ExitCode.unexpected],
  ] as const)('%i from %s (%s) is %o with code %s', (status, service, fault, cls, code, exitCode) => {
    const err = classifyHttpError(init(status, fault), service);
    expect(err.constructor).toBe(cls);
    expect(err.code).toBe(code);
    expect(err.exitCode).toBe(exitCode);
    expect(err.status).toBe(status);
  });

  it('hints at quota for a quota refusal and at policy for a plain 403', () => {
    expect(classifyHttpError(init(413, 'quota'), 'block-storage').hint).toMatch(/out of quota/);
    expect(classifyHttpError(init(403, 'nope'), 'compute').hint).toMatch(/policy/);
  });

  it('builds a message from method, URL, status, fault and request id', () => {
    const err = classifyHttpError(
      {
        method: 'GET',
        url: 'http://compute.cloud.test/v2.1/servers/x',
        status: 404,
        fault: 'gone',
        requestId: 'req-1',
      },
      'compute',
    );
    expect(err.message).toBe('GET http://compute.cloud.test/v2.1/servers/x returned 404: gone [req-1]');
    expect(err).toBeInstanceOf(DownpourError);
  });
});

/** parseFault then classifyHttpError on the last (error) exchange of a recording, as HttpClient does. */
function classifyRecorded(name: Scenario, service: string): HttpError {
  const { request, response } = errorExchange(name);
  return classifyHttpError(
    {
      method: request.method,
      url: request.url,
      status: response.status,
      fault: parseFault(wireBody(response.body), response.headers['content-type']),
      retryAfter: parseRetryAfter(response.headers),
      requestId: requestIdOf(response.headers),
    },
    service,
  );
}

describe('recorded error bodies', () => {
  it.each([
    [
      'nova-404',
      'compute',
      NotFoundError,
      'Instance 00000000-0000-4000-8000-000000000005 could not be found.',
    ],
    [
      'neutron-404',
      'network',
      NotFoundError,
      'NetworkNotFound: Network 00000000-0000-4000-8000-000000000005 could not be found.',
    ],
    [
      'glance-404',
      'image',
      NotFoundError,
      '404 Not Found No image found with ID 00000000-0000-4000-8000-000000000005',
    ],
    [
      'cinder-404',
      'block-storage',
      NotFoundError,
      'Volume 00000000-0000-4000-8000-000000000005 could not be found.',
    ],
    [
      'keystone-401-wrong-password',
      'identity',
      AuthenticationError,
      'The request you have made requires authentication.',
    ],
    [
      'neutron-409-duplicate-rule',
      'network',
      ConflictError,
      'SecurityGroupRuleExists: Security group rule already exists. Rule id is 00000000-0000-4000-8000-000000000008.',
    ],
    [
      'nova-406-microversion',
      'compute',
      NotAcceptableError,
      'Version 9.99 is not supported by the API. Minimum is 2.1 and maximum is 2.93.',
    ],
    ['nova-403-quota', 'compute', QuotaExceededError, 'Quota exceeded, too many key pairs.'],
    [
      'cinder-413-quota',
      'block-storage',
      QuotaExceededError,
      "VolumeLimitExceeded: Maximum number of volumes allowed (0) exceeded for quota 'volumes'.",
    ],
    [
      'neutron-409-quota',
      'network',
      QuotaExceededError,
      "OverQuota: Quota exceeded for resources: ['network'].",
    ],
  ] as const)('%s: the %s error is classified with the service message', (name, service, cls, fault) => {
    const err = classifyRecorded(name, service);
    expect(err).toBeInstanceOf(cls);
    expect(err.fault).toBe(fault);
    expect(err.requestId).toBe('req-00000000-0000-0000-0000-000000000000');
  });

  it('reads the message of the JSON 404 Glance gives an API call, without its HTML line breaks', () => {
    const json = loadFixture('glance-404')[1];
    expect(json?.response.headers['content-type']).toBe('application/json');
    expect(parseFault(wireBody(json?.response.body), 'application/json')).toBe(
      'No image found with ID 00000000-0000-4000-8000-000000000005',
    );
  });

  it('reads the text/plain 404 Glance gives a download', () => {
    const text = errorExchange('glance-404');
    expect(text.response.headers['content-type']).toMatch(/^text\/plain/);
    expect(typeof text.response.body).toBe('string');
  });

  it('strips the tags and head of an HTML error page', () => {
    const html =
      '<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  The resource could not be found.<br /><br />\n\n\n\n </body>\n</html>';
    expect(parseFault(html, 'text/html')).toBe('404 Not Found The resource could not be found.');
  });

  it('reads a Cinder 413 quota refusal as quota even though it says Retry-After: 0', () => {
    const { response } = errorExchange('cinder-413-quota');
    expect(response.headers['retry-after']).toBe('0');
    const err = classifyRecorded('cinder-413-quota', 'block-storage');
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect(err.retryAfter).toBe(0);
  });

  it('gives nothing for an empty body', () => {
    expect(parseFault('   ')).toBeUndefined();
  });
});

describe('recorded errors through a replayed Session', () => {
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('turns the recorded Nova 404 into a NotFoundError naming the request', async () => {
    const r = await replaySession(['nova-404']);
    session = r.session;
    const err: unknown = await session
      .json('compute', { path: 'servers/00000000-0000-4000-8000-000000000005' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toBe(
      'GET http://compute.cloud.test/v2.1/servers/00000000-0000-4000-8000-000000000005 returned 404: ' +
        'Instance 00000000-0000-4000-8000-000000000005 could not be found. [req-00000000-0000-0000-0000-000000000000]',
    );
    r.rp.assertDone();
  });

  it('sends the microversion asked for and turns the recorded 406 into a NotAcceptableError', async () => {
    const r = await replaySession(['nova-406-microversion']);
    session = r.session;
    await expect(session.json('compute', { path: 'servers', microversion: '9.99' })).rejects.toBeInstanceOf(
      NotAcceptableError,
    );
    expect(r.rp.calls[1]?.headers).toMatchObject({
      'openstack-api-version': 'compute 9.99',
      'x-openstack-nova-api-version': '9.99',
    });
    r.rp.assertDone();
  });

  it('posts the recorded security group rule twice and gets the duplicate as a ConflictError', async () => {
    const r = await replaySession(['neutron-409-duplicate-rule']);
    session = r.session;
    const rule = {
      security_group_rule: {
        security_group_id: '00000000-0000-4000-8000-000000000005',
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: 22,
        port_range_max: 22,
        remote_ip_prefix: '192.0.2.0/24',
      },
    };
    await session.json('network', {
      method: 'POST',
      path: 'security-groups',
      json: { security_group: { name: 'dp-fx-rec-sg', description: 'Downpour fixture' } },
    });
    await session.json('network', { method: 'POST', path: 'security-group-rules', json: rule });
    await expect(
      session.json('network', { method: 'POST', path: 'security-group-rules', json: rule }),
    ).rejects.toBeInstanceOf(ConflictError);
    await session.json('network', {
      method: 'DELETE',
      path: 'security-groups/00000000-0000-4000-8000-000000000005',
    });
    expect(r.rp.calls.map((c) => [c.method, c.url.replace('http://network.cloud.test/v2.0/', '')])).toEqual([
      ['POST', 'http://identity.cloud.test/v3/auth/tokens'],
      ['POST', 'security-groups'],
      ['POST', 'security-group-rules'],
      ['POST', 'security-group-rules'],
      ['DELETE', 'security-groups/00000000-0000-4000-8000-000000000005'],
    ]);
    expect(r.rp.calls[2]?.body).toEqual(rule);
    expect(r.rp.calls[3]?.body).toEqual(rule);
    r.rp.assertDone();
  });

  it('reports the recorded Keystone 401 as refused credentials (exit 5) without the password', async () => {
    const rp = replay('keystone-401-wrong-password');
    const err: unknown = await SessionClass.connect(replayCloud(), { dispatcher: rp.agent }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DownpourError);
    expect(err).toMatchObject({ code: 'E_AUTH_FAILED', exitCode: ExitCode.auth });
    expect((err as DownpourError).message).toBe(
      'Keystone refused the credentials of cloud "src" (401: The request you have made requires authentication.)',
    );
    expect(JSON.stringify((err as DownpourError).toJSON())).not.toContain(REPLAY_PASSWORD);
    // A wrong password is not retried: one request, and the recording is used up.
    expect(rp.calls).toHaveLength(1);
    rp.assertDone();
    await rp.close();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it('reads seconds', () => {
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2);
    expect(parseRetryAfter({ 'retry-after': '0' }, now)).toBe(0);
  });

  it('reads an HTTP date as the seconds until then, never negative', () => {
    expect(parseRetryAfter({ 'retry-after': 'Wed, 01 May 2024 12:00:30 GMT' }, now)).toBe(30);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 01 May 2024 11:59:00 GMT' }, now)).toBe(0);
  });

  it("reads the rate-limit middlewares' header names and the first of repeated values", () => {
    expect(parseRetryAfter({ 'x-retry-after': '5' }, now)).toBe(5);
    expect(parseRetryAfter({ 'x-ratelimit-retry-after': ['7', '9'] }, now)).toBe(7);
  });

  it('gives nothing for a missing or unreadable value', () => {
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });
});
