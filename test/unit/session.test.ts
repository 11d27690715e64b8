import { afterEach, describe, expect, it, vi } from 'vitest';
import { DownpourError, ExitCode, UnsupportedError } from '../../src/core/errors.js';
import type { KeystoneTokenBody } from '../../src/openstack/session/auth.js';
import {
  catalogRegions,
  officialServiceType,
  requireEndpoint,
  selectEndpoint,
  type CatalogEntry,
} from '../../src/openstack/session/catalog.js';
import {
  majorVersionOf,
  microversionRange,
  rootOf,
  versionEntries,
} from '../../src/openstack/session/discovery.js';
import {
  compareVersions,
  microversionHeaders,
  negotiate,
  parseVersion,
} from '../../src/openstack/session/microversion.js';
import type { Session } from '../../src/openstack/session/session.js';
import { loadFixture, recordedExchange, type Exchange } from '../support/fixture.js';
import { replayCloud, replaySession, type Replay } from '../support/replay.js';

const tokenExchange = (): Exchange => structuredClone(loadFixture('token-password')[0] as Exchange);
const recordedCatalog = (): CatalogEntry[] =>
  (tokenExchange().response.body as KeystoneTokenBody).token.catalog ?? [];

/** The recorded token response with its catalog changed by `edit`. */
function withCatalog(edit: (catalog: CatalogEntry[]) => CatalogEntry[]): Exchange {
  const exchange = tokenExchange();
  const body = exchange.response.body as KeystoneTokenBody;
  body.token.catalog = edit(body.token.catalog ?? []);
  return exchange;
}

const CINDER = 'http://block-storage.cloud.test/v3/00000000000040008000000000000002';

describe('catalog selection', () => {
  it('finds the recorded Cinder under block-storage and under its aliases', () => {
    const catalog = recordedCatalog();
    expect(catalog.map((e) => e.type)).toEqual(
      expect.arrayContaining(['block-storage', 'volumev3', 'compute', 'network', 'image', 'identity']),
    );
    for (const asked of ['block-storage', 'volumev3', 'volume'])
      expect(selectEndpoint(catalog, asked, 'public', 'RegionOne')).toBe(CINDER);
  });

  it('prefers the entry of the official type to an alias entry', () => {
    const catalog = recordedCatalog().map((e) =>
      e.type === 'volumev3'
        ? { ...e, endpoints: e.endpoints.map((x) => ({ ...x, url: 'http://old-cinder.cloud.test/v3' })) }
        : e,
    );
    expect(selectEndpoint(catalog, 'block-storage', 'public', undefined)).toBe(CINDER);
    expect(selectEndpoint(catalog, 'volumev3', 'public', undefined)).toBe(CINDER);
    const onlyAlias = catalog.filter((e) => e.type !== 'block-storage');
    expect(selectEndpoint(onlyAlias, 'block-storage', 'public', undefined)).toBe(
      'http://old-cinder.cloud.test/v3',
    );
  });

  it('takes volumev3 before volumev2 when only aliases are registered', () => {
    const catalog: CatalogEntry[] = [
      { type: 'volumev2', endpoints: [{ interface: 'public', url: 'http://v2' }] },
      { type: 'volumev3', endpoints: [{ interface: 'public', url: 'http://v3' }] },
    ];
    expect(selectEndpoint(catalog, 'block-storage', 'public', undefined)).toBe('http://v3');
  });

  it('filters by interface, accepting the v2-style publicURL', () => {
    const catalog: CatalogEntry[] = [
      {
        type: 'compute',
        endpoints: [
          { interface: 'internal', url: 'http://nova-internal' },
          { interface: 'publicURL', url: 'http://nova-public' },
          { interface: 'admin', url: 'http://nova-admin' },
        ],
      },
    ];
    expect(selectEndpoint(catalog, 'compute', 'public', undefined)).toBe('http://nova-public');
    expect(selectEndpoint(catalog, 'compute', 'internal', undefined)).toBe('http://nova-internal');
    expect(selectEndpoint(catalog, 'compute', 'admin', undefined)).toBe('http://nova-admin');
  });

  it('filters by region, by region_id or by the older region field', () => {
    const catalog: CatalogEntry[] = [
      {
        type: 'image',
        endpoints: [
          { interface: 'public', region_id: 'East', url: 'http://glance-east' },
          { interface: 'public', region: 'West', url: 'http://glance-west' },
        ],
      },
    ];
    expect(selectEndpoint(catalog, 'image', 'public', 'West')).toBe('http://glance-west');
    expect(selectEndpoint(catalog, 'image', 'public', 'East')).toBe('http://glance-east');
    expect(selectEndpoint(catalog, 'image', 'public', undefined)).toBe('http://glance-east');
    expect(selectEndpoint(catalog, 'image', 'public', 'North')).toBeUndefined();
    expect(catalogRegions(catalog)).toEqual(['East', 'West']);
  });

  it('says what the catalog offers when the service is missing in that region', () => {
    let err: unknown;
    try {
      requireEndpoint(recordedCatalog(), 'compute', 'public', 'Nowhere');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as UnsupportedError).exitCode).toBe(ExitCode.preflight);
    expect((err as UnsupportedError).message).toBe(
      'the catalog has no public endpoint for service "compute" in region Nowhere',
    );
    // Every interface of every service, in catalog order (which Keystone does not fix).
    expect((err as UnsupportedError).hint).toMatch(
      /compute \((public|internal|admin)@RegionOne(, (public|internal|admin)@RegionOne){2}\)/,
    );
  });

  it('maps old service type names to official ones', () => {
    expect(officialServiceType('volume')).toBe('block-storage');
    expect(officialServiceType('volumev2')).toBe('block-storage');
    expect(officialServiceType('compute')).toBe('compute');
    expect(officialServiceType('something-new')).toBe('something-new');
    expect(catalogRegions(recordedCatalog())).toEqual(['RegionOne']);
  });
});

describe('Session endpoints', () => {
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('reads endpoints from the recorded catalog, adding the version Neutron and Glance register without', async () => {
    ({ session } = await replaySession(['token-password']));
    expect(await session.endpoint('volumev3')).toBe(CINDER);
    expect(await session.endpoint('compute')).toBe('http://compute.cloud.test/v2.1');
    expect(await session.endpoint('network')).toBe('http://network.cloud.test/v2.0');
    expect(await session.endpoint('image')).toBe('http://image.cloud.test/v2');
    expect(await session.endpoint('identity')).toBe('http://identity.cloud.test/v3');
  });

  it('uses <service>_endpoint_override instead of the catalog', async () => {
    ({ session } = await replaySession(['token-password'], {
      cloud: replayCloud({ endpointOverrides: { 'block-storage': 'http://cinder.override.test/v3/p/' } }),
    }));
    expect(await session.endpoint('volume')).toBe('http://cinder.override.test/v3/p');
  });

  it('uses <service>_interface for that service only', async () => {
    const token = withCatalog((catalog) =>
      catalog.map((e) => ({
        ...e,
        endpoints: e.endpoints.map((x) =>
          x.interface === 'internal' ? { ...x, url: x.url.replace('.cloud.test', '.internal.test') } : x,
        ),
      })),
    );
    ({ session } = await replaySession([[token]], {
      cloud: replayCloud({ interfaceOverrides: { compute: 'internal' } }),
    }));
    expect(await session.endpoint('compute')).toBe('http://compute.internal.test/v2.1');
    expect(await session.endpoint('image')).toBe('http://image.cloud.test/v2');
  });

  it('refuses a region the catalog does not have', async () => {
    ({ session } = await replaySession(['token-password'], {
      cloud: replayCloud({ regionName: 'Nowhere' }),
    }));
    await expect(session.endpoint('compute')).rejects.toBeInstanceOf(UnsupportedError);
  });
});

describe('version discovery', () => {
  const bodyOf = (url: string) => recordedExchange('discovery', 'GET', new RegExp(`^${url}$`)).response.body;

  it('reads every recorded version document shape', () => {
    const nova = versionEntries(bodyOf('http://compute.cloud.test/v2.1'));
    expect(nova.map((e) => e.id)).toEqual(['v2.1']);
    const cinder = versionEntries(bodyOf('http://block-storage.cloud.test/'));
    expect(cinder.map((e) => e.id)).toContain('v3.0');
    const glance = versionEntries(bodyOf('http://image.cloud.test/'));
    expect(glance[0]).toMatchObject({ id: 'v2.16', status: 'CURRENT' });
    const neutron = versionEntries(bodyOf('http://network.cloud.test/'));
    expect(neutron.map((e) => e.id)).toEqual(['v2.0']);
    // Keystone wraps its list: {versions: {values: [...]}}.
    const keystoneRoot = bodyOf('http://identity.cloud.test/') as { versions: { values: unknown[] } };
    expect(Array.isArray(keystoneRoot.versions.values)).toBe(true);
    expect(versionEntries(keystoneRoot).map((e) => e.id)).toContain('v3.14');
    expect(versionEntries('not a document')).toEqual([]);
    expect(versionEntries({ versions: 'nope' })).toEqual([]);
  });

  it('takes the microversion range of the major version the endpoint names', () => {
    expect(microversionRange(versionEntries(bodyOf('http://compute.cloud.test/v2.1')), 'v2.1')).toEqual({
      min: '2.1',
      max: '2.93',
    });
    expect(microversionRange(versionEntries(bodyOf('http://block-storage.cloud.test/')), 'v3')).toEqual({
      min: '3.0',
      max: '3.70',
    });
    expect(microversionRange(versionEntries(bodyOf('http://image.cloud.test/')), 'v2')).toBeUndefined();
    expect(microversionRange(versionEntries(bodyOf('http://network.cloud.test/')), 'v2.0')).toBeUndefined();
  });

  it('falls back to the CURRENT entry when no entry matches the major version', () => {
    expect(
      microversionRange(
        [
          { id: 'v1.0', status: 'DEPRECATED', version: '1.5', min_version: '1.0' },
          { id: 'v9', status: 'CURRENT', max_version: '9.3', min_version: '9.1' },
        ],
        'v4',
      ),
    ).toEqual({ min: '9.1', max: '9.3' });
  });

  it('finds the major version and the root of an endpoint URL', () => {
    expect(majorVersionOf(CINDER)).toBe('v3');
    expect(majorVersionOf('http://compute.cloud.test/v2.1')).toBe('v2.1');
    expect(majorVersionOf('http://network.cloud.test/')).toBeUndefined();
    expect(rootOf(CINDER)).toBe('http://block-storage.cloud.test/');
    expect(rootOf('http://h/compute/v2.1?x=1')).toBe('http://h/compute/');
  });

  describe('through a replayed Session', () => {
    let rp: Replay;
    let session: Session;
    afterEach(async () => {
      await session.close();
    });

    it('discovers each service once, in the recorded order, and negotiates compute and volume', async () => {
      ({ rp, session } = await replaySession(['discovery']));
      const compute = await session.versionInfo('compute');
      const volume = await session.versionInfo('volumev3');
      const image = await session.versionInfo('image');
      const network = await session.versionInfo('network');
      const identity = await session.versionInfo('identity');
      expect(compute).toMatchObject({ microversions: { min: '2.1', max: '2.93' }, negotiated: '2.93' });
      expect(volume).toMatchObject({
        endpoint: CINDER,
        microversions: { min: '3.0', max: '3.70' },
        negotiated: '3.70',
      });
      expect(image.negotiated).toBeUndefined();
      expect(network.negotiated).toBeUndefined();
      expect(identity.versions.length).toBeGreaterThan(0);
      // A second ask is answered from the cache: the recording has no more requests.
      await session.versionInfo('block-storage');
      expect(await session.supports('compute', '2.90')).toBe(true);
      expect(await session.supports('compute', '2.94')).toBe(false);
      expect(rp.callLines()).toEqual([
        'POST http://identity.cloud.test/v3/auth/tokens',
        'GET http://compute.cloud.test/v2.1',
        `GET ${CINDER}`,
        'GET http://block-storage.cloud.test/',
        'GET http://image.cloud.test/v2',
        'GET http://image.cloud.test/',
        'GET http://network.cloud.test/v2.0',
        'GET http://network.cloud.test/',
        'GET http://identity.cloud.test/v3',
        'GET http://identity.cloud.test/',
      ]);
      rp.assertDone();
    });
  });
});

describe('microversions', () => {
  it('negotiates the lower of the client and server maximum', () => {
    const nova = { min: '2.1', max: '2.93' };
    expect(negotiate('2.100', nova)).toBe('2.93');
    expect(negotiate('2.60', nova)).toBe('2.60');
    expect(negotiate('2.93', nova)).toBe('2.93');
  });

  it('negotiates nothing when the ranges do not meet or the service has none', () => {
    expect(negotiate('2.0', { min: '2.1', max: '2.93' })).toBeUndefined();
    expect(negotiate('3.71', undefined)).toBeUndefined();
  });

  it('compares versions as numbers, not text', () => {
    expect(compareVersions('2.100', '2.93')).toBeGreaterThan(0);
    expect(compareVersions('3.9', '3.10')).toBeLessThan(0);
    expect(compareVersions('v2.1', '2.1')).toBe(0);
    expect(parseVersion('3')).toEqual([3, 0]);
    expect(() => parseVersion('latest')).toThrow('not a version: latest');
  });

  it('names the header per service, Cinder calling itself volume', () => {
    expect(microversionHeaders('compute', '2.93')).toEqual({
      'openstack-api-version': 'compute 2.93',
      'x-openstack-nova-api-version': '2.93',
    });
    expect(microversionHeaders('block-storage', '3.70')).toEqual({ 'openstack-api-version': 'volume 3.70' });
    expect(microversionHeaders('placement', '1.39')).toEqual({ 'openstack-api-version': 'placement 1.39' });
    expect(microversionHeaders('shared-file-system', '2.7')).toEqual({
      'openstack-api-version': 'shared-file-system 2.7',
    });
  });
});

describe('the token', () => {
  let rp: Replay;
  let session: Session | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await session?.close();
    session = undefined;
  });

  const POST_TOKEN = 'POST http://identity.cloud.test/v3/auth/tokens';

  it('exposes the project, user and roles of the recorded token', async () => {
    ({ rp, session } = await replaySession(['token-password']));
    expect(session.project).toEqual({ id: '00000000000040008000000000000002', name: 'src' });
    expect([...session.roles].sort()).toEqual(['member', 'reader']);
    expect((await session.token()).user.name).toBe('src-user');
  });

  it('re-authenticates within two minutes of expiry, not before (fake clock)', async () => {
    // The recorded token expires at 2099-12-31T23:00:00Z.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2099-12-31T22:00:00Z'));
    ({ rp, session } = await replaySession(['token-password', 'token-password']));
    vi.setSystemTime(new Date('2099-12-31T22:57:59Z'));
    await session.token();
    expect(rp.callLines()).toEqual([POST_TOKEN]);
    vi.setSystemTime(new Date('2099-12-31T22:58:30Z'));
    await session.token();
    expect(rp.callLines()).toEqual([POST_TOKEN, POST_TOKEN]);
    rp.assertDone();
  });

  it('re-authenticates after forgetToken, once for concurrent callers', async () => {
    ({ rp, session } = await replaySession(['token-password', 'token-password']));
    session.forgetToken();
    const [a, b, c] = await Promise.all([session.token(), session.token(), session.token()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(rp.callLines()).toEqual([POST_TOKEN, POST_TOKEN]);
    rp.assertDone();
  });

  it('refuses a token that is not scoped to a project', async () => {
    const unscoped = tokenExchange();
    delete (unscoped.response.body as KeystoneTokenBody).token.project;
    const err: unknown = await replaySession([[unscoped]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownpourError);
    expect(err).toMatchObject({ code: 'E_AUTH_SCOPE', exitCode: ExitCode.auth });
  });

  it('refuses a token response without X-Subject-Token', async () => {
    const headless = tokenExchange();
    delete headless.response.headers['x-subject-token'];
    await expect(replaySession([[headless]])).rejects.toMatchObject({ code: 'E_AUTH_FAILED' });
  });
});
