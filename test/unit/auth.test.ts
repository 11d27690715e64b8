import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import { tokenRequestBody, tokenUrl } from '../../src/openstack/session/auth.js';

const root = mkdtempSync(join(tmpdir(), 'downpour-auth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Load the one cloud described by `yaml` (indented as the body of a cloud entry). */
function cloudFrom(yaml: string) {
  const dir = mkdtempSync(join(root, 'c-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'clouds.yaml'), `clouds:\n  c:\n${yaml}`);
  return loadCloudConfig({ search: { env: {}, cwd: dir, home: dir } });
}

describe('the token request each auth type sends', () => {
  it('password: user and project by name, each with its domain', () => {
    const cloud = cloudFrom(`    auth:
      auth_url: https://k.example.com:5000/v3
      username: alice
      password: pw-alice
      user_domain_name: Users
      project_name: web
      project_domain_name: Projects
`);
    expect(cloud.authType).toBe('password');
    expect(tokenRequestBody(cloud)).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'alice', domain: { name: 'Users' }, password: 'pw-alice' } },
        },
        scope: { project: { name: 'web', domain: { name: 'Projects' } } },
      },
    });
  });

  it('password: a user and project named without domains land in the default domain', () => {
    const cloud = cloudFrom(
      `    auth: {auth_url: "https://k/v3", username: bob, password: pw-bob, project_name: p}\n`,
    );
    expect(tokenRequestBody(cloud)).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'bob', domain: { id: 'default' }, password: 'pw-bob' } },
        },
        scope: { project: { name: 'p', domain: { id: 'default' } } },
      },
    });
  });

  it('v3password: user_id and project_id need no domain; domain_name covers both when given alone', () => {
    const byId = cloudFrom(`    auth_type: v3password
    auth: {auth_url: "https://k/v3", user_id: u123, password: pw-id, project_id: p456}
`);
    expect(byId.authType).toBe('v3password');
    expect(tokenRequestBody(byId)).toEqual({
      auth: {
        identity: { methods: ['password'], password: { user: { id: 'u123', password: 'pw-id' } } },
        scope: { project: { id: 'p456' } },
      },
    });
    const shared = cloudFrom(`    auth_type: v3password
    auth: {auth_url: "https://k/v3", username: carol, password: pw-c, project_name: p, domain_name: Shared}
`);
    expect(tokenRequestBody(shared)).toMatchObject({
      auth: {
        identity: { password: { user: { name: 'carol', domain: { name: 'Shared' } } } },
        scope: { project: { name: 'p', domain: { name: 'Shared' } } },
      },
    });
  });

  it('v3applicationcredential by id: id and secret, and no scope (the credential carries it)', () => {
    const cloud = cloudFrom(`    auth_type: v3applicationcredential
    auth:
      auth_url: https://k/v3
      application_credential_id: ac-id-1
      application_credential_secret: ac-secret-1
`);
    expect(tokenRequestBody(cloud)).toEqual({
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: { secret: 'ac-secret-1', id: 'ac-id-1' },
        },
      },
    });
  });

  it('v3applicationcredential by name: name, secret and the owning user', () => {
    const cloud = cloudFrom(`    auth_type: v3applicationcredential
    auth:
      auth_url: https://k/v3
      application_credential_name: ci-deploy
      application_credential_secret: ac-secret-2
      username: dave
      user_domain_name: Default
`);
    expect(tokenRequestBody(cloud)).toEqual({
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: {
            secret: 'ac-secret-2',
            name: 'ci-deploy',
            user: { name: 'dave', domain: { name: 'Default' } },
          },
        },
      },
    });
  });

  it.each(['token', 'v3token'])('%s: the token id, scoped to the project', (type) => {
    const cloud = cloudFrom(`    auth_type: ${type}
    auth: {auth_url: "https://k/v3", token: tok-abc-123, project_name: p, project_domain_id: default}
`);
    expect(cloud.authType).toBe(type);
    expect(tokenRequestBody(cloud)).toEqual({
      auth: {
        identity: { methods: ['token'], token: { id: 'tok-abc-123' } },
        scope: { project: { name: 'p', domain: { id: 'default' } } },
      },
    });
  });

  it('refuses to build a password request that names no project', () => {
    const cloud = cloudFrom(`    auth: {auth_url: "https://k/v3", username: e, password: pw-noproject}\n`);
    const err = (() => {
      try {
        tokenRequestBody(cloud);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe('cloud "c" names no project (project_name or project_id)');
    expect((err as ConfigError).exitCode).toBe(2);
  });
});

describe('tokenUrl', () => {
  it('appends /auth/tokens to a /v3 auth_url and /v3/auth/tokens to a bare one', () => {
    expect(tokenUrl('https://k:5000/v3')).toBe('https://k:5000/v3/auth/tokens');
    expect(tokenUrl('https://k:5000/v3/')).toBe('https://k:5000/v3/auth/tokens');
    expect(tokenUrl('https://k:5000')).toBe('https://k:5000/v3/auth/tokens');
    expect(tokenUrl('https://k/identity/')).toBe('https://k/identity/v3/auth/tokens');
  });
});
