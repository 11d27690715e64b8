import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DownpourError, TransportError, errorMessage } from '../../src/core/errors.js';
import { memoryLogger } from '../../src/core/log.js';
import { REDACTED, clearSecrets, redact, redactHeaders, registerSecret } from '../../src/core/redact.js';
import { HttpClient } from '../../src/openstack/http/client.js';
import { classifyHttpError } from '../../src/openstack/http/errors.js';
import { REPLAY_PASSWORD, replaySession } from '../support/replay.js';

// Shaped like a Keystone fernet token (version byte, base64url body) but made up here, so the
// repository holds nothing that looks like a real one.
const FERNET = `gAAAAAB${Buffer.from('not a real token, only its shape: '.repeat(2)).toString('base64url')}==`;

beforeEach(() => clearSecrets());

describe('redact', () => {
  it('masks every occurrence of a registered secret', () => {
    registerSecret('s3cret-pass');
    expect(redact('login with s3cret-pass failed; s3cret-pass again')).toBe(
      `login with ${REDACTED} failed; ${REDACTED} again`,
    );
  });

  it('ignores values too short to be secrets, and forgets on clearSecrets', () => {
    registerSecret('abc');
    registerSecret(undefined);
    registerSecret('long-enough');
    expect(redact('abc long-enough')).toBe(`abc ${REDACTED}`);
    clearSecrets();
    expect(redact('long-enough')).toBe('long-enough');
  });

  it('masks a Keystone fernet token it was never told about', () => {
    expect(redact(`token ${FERNET} expired`)).toBe(`token ${REDACTED} expired`);
  });

  it('masks JSON secret fields, escaped quotes included', () => {
    expect(redact('{"user": {"name": "a", "password": "p\\"w\\\\d"}, "other": 1}')).toBe(
      `{"user": {"name": "a", "password": "${REDACTED}"}, "other": 1}`,
    );
    expect(redact('{"application_credential_secret":"xyz","adminPass": "Nova-made"}')).toBe(
      `{"application_credential_secret":"${REDACTED}","adminPass": "${REDACTED}"}`,
    );
  });

  it('masks auth header values in text', () => {
    expect(redact('X-Auth-Token: abcdef123 next')).toBe(`X-Auth-Token: ${REDACTED} next`);
    expect(redact('authorization=opaque-value')).toBe(`authorization=${REDACTED}`);
    expect(redact('Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig')).toBe(
      `Authorization: Bearer ${REDACTED}`,
    );
    expect(redact('authorization: Basic dXNlcjpwYXNz')).toBe(`authorization: Basic ${REDACTED}`);
  });

  it('masks the password of a URL with userinfo, keeping the user', () => {
    expect(redact('fetch https://bob:hunter2@swift.example.com/v1/x failed')).toBe(
      `fetch https://bob:${REDACTED}@swift.example.com/v1/x failed`,
    );
  });

  it('masks secret headers whole and other headers by pattern', () => {
    expect(
      redactHeaders({
        'X-Auth-Token': 'anything',
        'x-subject-token': ['a', 'b'],
        'content-type': 'application/json',
        'x-debug': `seen ${FERNET}`,
        absent: undefined,
      }),
    ).toEqual({
      'X-Auth-Token': REDACTED,
      'x-subject-token': REDACTED,
      'content-type': 'application/json',
      'x-debug': `seen ${REDACTED}`,
    });
  });
});

describe('errors are redacted when built', () => {
  it('masks secrets in a DownpourError message, hint and details', () => {
    registerSecret('pw-in-error');
    const err = new ConfigError('login as bob with pw-in-error failed', {
      hint: `retry with ${FERNET}`,
      details: { body: '{"password": "pw-in-error"}' },
    });
    expect(err.message).toBe(`login as bob with ${REDACTED} failed`);
    expect(err.hint).toBe(`retry with ${REDACTED}`);
    expect(JSON.stringify(err.toJSON())).not.toContain('pw-in-error');
  });

  it('masks userinfo in the URL of a TransportError and an HttpError', () => {
    const transport = new TransportError('GET', 'https://u:pw-url@h/x', 'reset', true);
    expect(transport.url).toBe(`https://u:${REDACTED}@h/x`);
    expect(transport.message).not.toContain('pw-url');
    const http = classifyHttpError(
      { method: 'GET', url: 'https://u:pw-url@h/x', status: 500, fault: FERNET },
      'x',
    );
    expect(http.message).toBe(`GET https://u:${REDACTED}@h/x returned 500: ${REDACTED}`);
  });

  it('masks secrets in errorMessage of any thrown value', () => {
    registerSecret('thrown-secret');
    expect(errorMessage(new Error('bad thrown-secret'))).toBe(`bad ${REDACTED}`);
    expect(errorMessage('plain thrown-secret')).toBe(`plain ${REDACTED}`);
    expect(new DownpourError('E_X', 1, 'x').message).toBe('x');
  });
});

describe('HttpClient debug log lines', () => {
  let agent: MockAgent;
  afterEach(async () => {
    await agent.close();
  });

  function client() {
    agent = new MockAgent();
    agent.disableNetConnect();
    const logger = memoryLogger('debug');
    const http = new HttpClient({ dispatcher: agent, logger });
    http.auth = { authHeaders: () => Promise.resolve({ 'x-auth-token': FERNET }), invalidate: () => {} };
    return { http, logger, pool: agent.get('http://nova.cloud.test') };
  }

  it('never show the token, a password in a request body or a password in a response body', async () => {
    const { http, logger, pool } = client();
    pool
      .intercept({ path: '/v2.1/servers', method: 'POST' })
      .reply(
        202,
        { server: { id: 's1', adminPass: 'nova-generated-pw' } },
        { headers: { 'content-type': 'application/json' } },
      );
    await http.json({
      method: 'POST',
      url: 'http://nova.cloud.test/v2.1/servers',
      json: { server: { name: 'vm', adminPass: 'chosen-pw', user_data: 'I2Nsb3VkLWNvbmZpZw==' } },
      ok: [202],
    });
    const log = logger.lines.join('');
    expect(logger.lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'downpour debug: REQ',
      'downpour debug: REQ',
      'downpour debug: RESP',
      'downpour debug: RESP',
    ]);
    expect(log).toContain('"x-auth-token":"***"');
    for (const secret of [FERNET.slice(0, 30), 'chosen-pw', 'nova-generated-pw', 'I2Nsb3VkLWNvbmZpZw'])
      expect(log).not.toContain(secret);
  });

  it('masks a registered secret a service echoes back in an error', async () => {
    registerSecret('echoed-secret');
    const { http, logger, pool } = client();
    pool
      .intercept({ path: '/v2.1/os-keypairs', method: 'POST' })
      .reply(400, { badRequest: { message: 'Keypair data is invalid: echoed-secret' } });
    const err: unknown = await http
      .json({ method: 'POST', url: 'http://nova.cloud.test/v2.1/os-keypairs', json: {}, ok: [200] })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `POST http://nova.cloud.test/v2.1/os-keypairs returned 400: Keypair data is invalid: ${REDACTED}`,
    );
    expect(logger.lines.join('')).not.toContain('echoed-secret');
  });

  it('do not log the body of the token request at all', async () => {
    const logger = memoryLogger('debug');
    const { rp, session } = await replaySession(['token-password'], { logger });
    const log = logger.lines.join('');
    expect(log).toContain('REQ POST http://identity.cloud.test/v3/auth/tokens');
    expect(log).not.toContain('REQ BODY');
    expect(log).not.toContain(REPLAY_PASSWORD);
    expect(log).toContain('authenticated as src-user in project src');
    rp.assertDone();
    await session.close();
    agent = new MockAgent();
  });
});
