import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, type Exchange } from '../support/fixture.js';
import { normaliseExchanges } from '../support/normalise.js';

const files = readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json'));

describe('committed fixtures', () => {
  it('cover every recorded scenario', () => {
    expect(files.length).toBeGreaterThanOrEqual(17);
  });

  it.each(files)('%s holds no token, password, real host, real id or real time', (file) => {
    const text = readFileSync(`${FIXTURES_DIR}${file}`, 'utf8');
    const exchanges = JSON.parse(text) as Exchange[];
    expect(exchanges.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/gAAAAA/);
    expect(text).not.toMatch(/127\.0\.0\.1|localhost/);
    for (const url of text.match(/https?:\/\/[^/"\s]+/g) ?? [])
      expect(url).toMatch(/^http:\/\/[a-z-]+\.cloud\.test$|docs\.openstack\.org$/);
    for (const id of text.match(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi) ?? [])
      expect(id).toMatch(/^00000000-0000-(4000-[89]000|0000-0000)-0000000\d{5}$/);
    for (const time of text.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/g) ?? [])
      expect(['2000-01-01T00:00:00', '2099-12-31T23:00:00']).toContain(time);
    for (const e of exchanges) {
      for (const h of ['x-auth-token', 'x-subject-token'] as const) {
        const value = e.request.headers[h] ?? e.response.headers[h];
        if (value !== undefined) expect(value).toBe('REDACTED');
      }
    }
    for (const password of text.match(/"password": "[^"]*"/g) ?? [])
      expect(password).toBe('"password": "REDACTED"');
  });
});

describe('normaliseExchanges', () => {
  const raw: Exchange[] = [
    {
      request: {
        method: 'POST',
        url: 'http://127.0.0.1:5000/v3/auth/tokens',
        headers: { 'content-type': 'application/json', 'user-agent': 'node' },
        body: { auth: { identity: { password: { user: { name: 'u', password: 'real-pw' } } } } },
      },
      response: {
        status: 201,
        headers: {
          'x-subject-token': 'gAAAAABnotarealtokenbutlongenough0123456789',
          'x-openstack-request-id': 'req-3f0c1a52-9a7e-4c1e-8d4c-2b9b6f0e1d11',
          date: 'Mon, 25 Nov 2024 22:00:00 GMT',
        },
        body: {
          token: {
            expires_at: '2024-11-25T23:00:00.000000Z',
            issued_at: '2024-11-25T22:00:00.000000Z',
            project: { id: '0bb92bf05e4d43d486895882e6974512' },
            catalog: [
              {
                type: 'volumev3',
                id: 'a9f0c4c3d2e14b3c9f1d2e3c4b5a6978',
                endpoints: [{ url: 'http://127.0.0.1:8776/v3/0bb92bf05e4d43d486895882e6974512' }],
              },
            ],
          },
        },
      },
    },
    {
      request: {
        method: 'GET',
        url: 'http://127.0.0.1:87760/x/3f0c1a52-9a7e-4c1e-8d4c-2b9b6f0e1d12?echo=real-pw-run42',
        headers: { 'x-auth-token': 'gAAAAABnotarealtokenbutlongenough0123456789' },
        body: null,
      },
      response: {
        status: 200,
        headers: {},
        body: {
          volume: {
            id: '3F0C1A52-9A7E-4C1E-8D4C-2B9B6F0E1D12',
            created_at: '2024-11-25T22:33:44.123456',
            link: 'http://localhost:8776/v3/0bb92bf05e4d43d486895882e6974512/volumes',
          },
        },
      },
    },
  ];
  const out = normaliseExchanges(raw, {
    origins: { 'http://127.0.0.1:5000': 'identity', 'http://127.0.0.1:8776': 'block-storage' },
    secrets: ['real-pw'],
    replacements: { run42: 'rec' },
  });
  const text = JSON.stringify(out);

  it('masks tokens, passwords and known secrets, and zeroes request ids', () => {
    expect(text).not.toMatch(/gAAAAA|real-pw/);
    expect(out[0]?.request.body).toMatchObject({
      auth: { identity: { password: { user: { password: 'REDACTED' } } } },
    });
    expect(out[0]?.response.headers).toEqual({
      'x-subject-token': 'REDACTED',
      'x-openstack-request-id': 'req-00000000-0000-0000-0000-000000000000',
    });
    expect(out[1]?.request.headers).toEqual({ 'x-auth-token': 'REDACTED' });
  });

  it('keeps only the headers a replay needs', () => {
    expect(out[0]?.request.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('numbers ids by first appearance, catalog ids in their own series, whatever their case or shape', () => {
    const token = (out[0]?.response.body as { token: Record<string, unknown> }).token;
    expect(token['project']).toEqual({ id: '00000000000040008000000000000001' });
    expect(token['catalog']).toEqual([
      {
        type: 'volumev3',
        id: '00000000000040009000000000000001',
        endpoints: [{ url: 'http://block-storage.cloud.test/v3/00000000000040008000000000000001' }],
      },
    ]);
    const volume = (out[1]?.response.body as { volume: Record<string, string> }).volume;
    expect(volume['id']).toBe('00000000-0000-4000-8000-000000000002');
    expect(out[1]?.request.url).toContain('/x/00000000-0000-4000-8000-000000000002');
  });

  it('rewrites each service origin, and only on a port boundary', () => {
    expect(out[0]?.request.url).toBe('http://identity.cloud.test/v3/auth/tokens');
    const volume = (out[1]?.response.body as { volume: Record<string, string> }).volume;
    expect(volume['link']).toBe(
      'http://block-storage.cloud.test/v3/00000000000040008000000000000001/volumes',
    );
    expect(out[1]?.request.url).toMatch(/^http:\/\/127\.0\.0\.1:87760\//);
  });

  it('fixes times, keeping their format, and moves token expiry far into the future', () => {
    const token = (out[0]?.response.body as { token: Record<string, unknown> }).token;
    expect(token['expires_at']).toBe('2099-12-31T23:00:00.000000Z');
    expect(token['issued_at']).toBe('2000-01-01T00:00:00.000000Z');
    const volume = (out[1]?.response.body as { volume: Record<string, string> }).volume;
    expect(volume['created_at']).toBe('2000-01-01T00:00:00.000000');
  });

  it('applies the run replacements', () => {
    expect(out[1]?.request.url).toMatch(/echo=REDACTED-rec$/);
  });
});
