import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/openstack/http/client.js';
import { HttpError } from '../../src/openstack/http/errors.js';
import { loadFixture } from '../support/fixture.js';
import { MISMATCH_STATUS, replay, replaySession } from '../support/replay.js';

// The replay is what makes the other tests able to fail: these prove it refuses what was not recorded.
describe('replay of a recording', () => {
  const token = loadFixture('token-password');

  it('answers a recorded request with the recorded response and records the call', async () => {
    const { rp, session } = await replaySession(['token-password']);
    expect(session.project).toEqual({ id: '00000000000040008000000000000002', name: 'src' });
    expect(rp.calls).toHaveLength(1);
    expect(rp.calls[0]?.body).toMatchObject({
      auth: { identity: { password: { user: { name: 'src-user', password: 'replay-password' } } } },
    });
    rp.assertDone();
    await session.close();
  });

  it('answers a request out of the recorded order with 418 and reports it', async () => {
    const rp = replay(token);
    const http = new HttpClient({ dispatcher: rp.agent });
    const err: unknown = await http
      .json({ method: 'GET', url: 'http://compute.cloud.test/v2.1', ok: [200] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(MISMATCH_STATUS);
    expect(http.stats.requests).toBe(1);
    expect(rp.problems).toEqual([
      'request #1 was GET http://compute.cloud.test/v2.1, the recording expects POST http://identity.cloud.test/v3/auth/tokens',
    ]);
    expect(() => rp.assertDone()).toThrow(/never requested/);
    await http.close();
  });

  it('refuses a request body that differs from the recorded one', async () => {
    const rp = replay(token);
    const http = new HttpClient({ dispatcher: rp.agent });
    await expect(
      http.json({
        method: 'POST',
        url: 'http://identity.cloud.test/v3/auth/tokens',
        json: { auth: { identity: { methods: ['token'] } } },
        ok: [201],
      }),
    ).rejects.toMatchObject({ status: MISMATCH_STATUS });
    expect(rp.problems[0]).toMatch(/body .* differs from the recorded/);
    await http.close();
  });

  it('refuses a request the recording does not have once it is used up', async () => {
    const { rp, session } = await replaySession(['token-password']);
    await expect(session.json('compute', { path: 'servers' })).rejects.toMatchObject({
      status: MISMATCH_STATUS,
    });
    expect(rp.problems[0]).toMatch(/^request #2 GET http:\/\/compute\.cloud\.test\/v2\.1 was not recorded/);
    expect(() => rp.assertDone()).toThrow(/was not recorded/);
    await session.close();
  });
});
