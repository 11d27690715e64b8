import { afterEach, describe, expect, it } from 'vitest';
import { DownpourError } from '../../src/core/errors.js';
import { findNextLink, nextQuery, paginate } from '../../src/openstack/http/paginate.js';
import type { Session } from '../../src/openstack/session/session.js';
import { loadFixture, type Exchange } from '../support/fixture.js';
import { replaySession, type Replay } from '../support/replay.js';

/** The response bodies of a fixture's GETs whose URL contains `part`, in recorded order. */
function pages(name: Parameters<typeof loadFixture>[0], part: string): Record<string, unknown>[] {
  return loadFixture(name)
    .filter((e) => e.request.method === 'GET' && e.request.url.includes(part))
    .map((e) => e.response.body as Record<string, unknown>);
}

async function names(items: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of items) out.push((item as { name?: unknown }).name);
  return out;
}

const NOVA = 'http://compute.cloud.test/v2.1';
const NEUTRON = 'http://network.cloud.test/v2.0';
const GLANCE = 'http://image.cloud.test/v2';
const CINDER = 'http://block-storage.cloud.test/v3/00000000000040008000000000000002';
const TOKEN = 'POST http://identity.cloud.test/v3/auth/tokens';

describe('findNextLink on recorded pages', () => {
  it('follows Nova flavors_links and stops on the empty last page', () => {
    const [first, second, last] = pages('nova-flavors-pages', 'flavors/detail');
    expect(findNextLink(first, 'flavors')).toBe(
      `${NOVA}/flavors/detail?limit=2&sort_dir=asc&sort_key=name&marker=00000000-0000-4000-8000-000000000006`,
    );
    expect(findNextLink(second, 'flavors')).toBe(
      `${NOVA}/flavors/detail?limit=2&marker=00000000-0000-4000-8000-000000000008&sort_dir=asc&sort_key=name`,
    );
    expect(last).toEqual({ flavors: [] });
    expect(findNextLink(last, 'flavors')).toBeUndefined();
  });

  it('takes the rel=next of Neutron networks_links and ignores rel=previous', () => {
    const all = pages('neutron-networks-pages', '/networks?');
    expect(findNextLink(all[0], 'networks')).toBe(
      `${NEUTRON}/networks?tags=dp-fx-rec&limit=1&sort_key=name&sort_dir=asc&marker=00000000-0000-4000-8000-000000000005`,
    );
    const last = all[all.length - 1] as { networks_links: { rel: string }[] };
    expect(last.networks_links.map((l) => l.rel)).toEqual(['previous']);
    expect(findNextLink(last, 'networks')).toBeUndefined();
  });

  it("reads Glance's relative top-level next and stops when only first is left", () => {
    const all = pages('glance-images-pages', '/images?');
    expect(findNextLink(all[0], 'images')).toBe(
      '/v2/images?tag=dp-fx-rec&limit=1&sort_key=name&sort_dir=asc&marker=00000000-0000-4000-8000-000000000005',
    );
    const last = all[all.length - 1];
    expect(last).toHaveProperty('first');
    expect(findNextLink(last, 'images')).toBeUndefined();
  });

  it('follows Cinder volumes_links', () => {
    const [first] = pages('cinder-volumes-pages', 'volumes/detail');
    expect(findNextLink(first, 'volumes')).toMatch(
      new RegExp(
        `^${CINDER.replace(/\./g, '\\.')}/volumes/detail\\?.*&marker=00000000-0000-4000-8000-000000000005$`,
      ),
    );
  });

  it('reads the Keystone links dict, whose next is null on the real cloud', () => {
    const [projects] = pages('keystone-projects', 'auth/projects');
    expect(projects?.['links']).toMatchObject({ next: null });
    expect(findNextLink(projects, 'projects')).toBeUndefined();
    const withNext = {
      ...projects,
      links: { self: 'x', next: 'http://identity.cloud.test/v3/auth/projects?marker=p2' },
    };
    expect(findNextLink(withNext, 'projects')).toBe('http://identity.cloud.test/v3/auth/projects?marker=p2');
  });

  it('accepts a links list with rel=next and an RFC 5988 Link header', () => {
    expect(
      findNextLink(
        {
          links: [
            { rel: 'self', href: 'a' },
            { rel: 'next', href: 'b' },
          ],
        },
        'x',
      ),
    ).toBe('b');
    expect(
      findNextLink({}, 'x', {
        link: '<http://h/v1/things?page=2>; rel="next", <http://h/v1/things?page=9>; rel="last"',
      }),
    ).toBe('http://h/v1/things?page=2');
    expect(findNextLink({}, 'x', { link: '<http://h/v1/things?page=9>; rel="last"' })).toBeUndefined();
  });
});

describe('nextQuery', () => {
  it('keeps only the query of a link, absolute or relative', () => {
    const [first] = pages('glance-images-pages', '/images?');
    expect(nextQuery(findNextLink(first, 'images') as string)).toEqual({
      tag: 'dp-fx-rec',
      limit: '1',
      sort_key: 'name',
      sort_dir: 'asc',
      marker: '00000000-0000-4000-8000-000000000005',
    });
    const [nova] = pages('nova-flavors-pages', 'flavors/detail');
    expect(nextQuery(findNextLink(nova, 'flavors') as string)).toEqual({
      limit: '2',
      sort_dir: 'asc',
      sort_key: 'name',
      marker: '00000000-0000-4000-8000-000000000006',
    });
  });

  it('turns a repeated key into a list', () => {
    expect(nextQuery('/v2.0/ports?fields=id&fields=name&marker=m')).toEqual({
      fields: ['id', 'name'],
      marker: 'm',
    });
  });
});

describe('Session.list over recorded multi-page fixtures', () => {
  let rp: Replay | undefined;
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    rp = undefined;
    session = undefined;
  });

  it('returns every Nova flavor in order, following flavors_links until the empty page', async () => {
    ({ rp, session } = await replaySession(['nova-flavors-pages']));
    const query = { limit: 2, sort_key: 'name', sort_dir: 'asc' };
    expect(await names(session.list('compute', 'flavors/detail', 'flavors', query))).toEqual([
      'ds.nano',
      'm1.medium',
      'm1.small',
      'm1.tiny',
    ]);
    expect(rp.callLines()).toEqual([
      TOKEN,
      `GET ${NOVA}`,
      `GET ${NOVA}/flavors/detail?limit=2&sort_key=name&sort_dir=asc`,
      `GET ${NOVA}/flavors/detail?limit=2&sort_key=name&sort_dir=asc&marker=00000000-0000-4000-8000-000000000006`,
      `GET ${NOVA}/flavors/detail?limit=2&sort_key=name&sort_dir=asc&marker=00000000-0000-4000-8000-000000000008`,
    ]);
    // Every call after the token carries it and the negotiated microversion.
    expect(rp.calls[2]?.headers).toMatchObject({
      'x-auth-token': 'REDACTED',
      'openstack-api-version': 'compute 2.93',
      'x-openstack-nova-api-version': '2.93',
    });
    rp.assertDone();
  });

  it('returns every Neutron network in order, keeping the filters on each page', async () => {
    ({ rp, session } = await replaySession(['neutron-networks-pages']));
    const query = { tags: 'dp-fx-rec', limit: 1, sort_key: 'name', sort_dir: 'asc' };
    expect(await names(session.list('network', 'networks', 'networks', query))).toEqual([
      'dp-fx-rec-net-1',
      'dp-fx-rec-net-2',
      'dp-fx-rec-net-3',
    ]);
    const base = `GET ${NEUTRON}/networks?tags=dp-fx-rec&limit=1&sort_key=name&sort_dir=asc`;
    expect(rp.callLines()).toEqual([
      TOKEN,
      base,
      `${base}&marker=00000000-0000-4000-8000-000000000005`,
      `${base}&marker=00000000-0000-4000-8000-000000000006`,
      `${base}&marker=00000000-0000-4000-8000-000000000007`,
    ]);
    rp.assertDone();
  });

  it('returns every Glance image in order, following the relative next against our endpoint', async () => {
    ({ rp, session } = await replaySession(['glance-images-pages']));
    const query = { tag: 'dp-fx-rec', limit: 1, sort_key: 'name', sort_dir: 'asc' };
    expect(await names(session.list('image', 'images', 'images', query))).toEqual([
      'dp-fx-rec-image-1',
      'dp-fx-rec-image-2',
      'dp-fx-rec-image-3',
    ]);
    const base = `GET ${GLANCE}/images?tag=dp-fx-rec&limit=1&sort_key=name&sort_dir=asc`;
    expect(rp.callLines()).toEqual([
      TOKEN,
      base,
      `${base}&marker=00000000-0000-4000-8000-000000000005`,
      `${base}&marker=00000000-0000-4000-8000-000000000006`,
      `${base}&marker=00000000-0000-4000-8000-000000000007`,
    ]);
    rp.assertDone();
  });

  it('returns every Cinder volume in order after discovering the volume microversion at the root', async () => {
    ({ rp, session } = await replaySession(['cinder-volumes-pages']));
    const query = { metadata: JSON.stringify({ 'dp-fx': 'dp-fx-rec' }), limit: 1, sort: 'name:asc' };
    expect(await names(session.list('block-storage', 'volumes/detail', 'volumes', query))).toEqual([
      'dp-fx-rec-volume-1',
      'dp-fx-rec-volume-2',
      'dp-fx-rec-volume-3',
    ]);
    const base = `GET ${CINDER}/volumes/detail?metadata=%7B%22dp-fx%22%3A%22dp-fx-rec%22%7D&limit=1&sort=name%3Aasc`;
    expect(rp.callLines()).toEqual([
      TOKEN,
      `GET ${CINDER}`,
      'GET http://block-storage.cloud.test/',
      base,
      `${base}&marker=00000000-0000-4000-8000-000000000005`,
      `${base}&marker=00000000-0000-4000-8000-000000000008`,
      `${base}&marker=00000000-0000-4000-8000-000000000009`,
    ]);
    expect(rp.calls[3]?.headers['openstack-api-version']).toBe('volume 3.70');
    rp.assertDone();
  });

  it('reads a one-page Keystone list whose links.next is null', async () => {
    ({ rp, session } = await replaySession(['keystone-projects']));
    const projects = await names(session.list('identity', 'auth/projects', 'projects'));
    expect(projects[0]).toBe('src');
    expect(rp.callLines()).toEqual([TOKEN, 'GET http://identity.cloud.test/v3/auth/projects']);
    rp.assertDone();
  });

  it('asks our endpoint, not the host a next link names, for the next page', async () => {
    const recorded = loadFixture('neutron-networks-pages');
    const [token, page1, page2, page3, page4] = recorded as [
      Exchange,
      Exchange,
      Exchange,
      Exchange,
      Exchange,
    ];
    // The service builds its links from an internal name we cannot reach.
    const internal = JSON.parse(
      JSON.stringify(page1).replaceAll(`${NEUTRON}/networks?`, 'http://neutron.internal:9696/v2.0/networks?'),
    ) as Exchange;
    internal.request = page1.request;
    ({ rp, session } = await replaySession([[token, internal, page2, page3, page4]]));
    const query = { tags: 'dp-fx-rec', limit: 1, sort_key: 'name', sort_dir: 'asc' };
    expect(await names(session.list('network', 'networks', 'networks', query))).toHaveLength(3);
    expect(rp.calls.every((c) => !c.url.includes('internal'))).toBe(true);
    rp.assertDone();
  });

  it('refuses a next link that offers the same page again', async () => {
    const recorded = loadFixture('nova-flavors-pages');
    const [token, discovery, page1, page2] = recorded as [Exchange, Exchange, Exchange, Exchange];
    // A broken service: the second page points back at itself.
    const stuck: Exchange = {
      request: page2.request,
      response: {
        ...page2.response,
        body: {
          ...(page2.response.body as object),
          flavors_links: [{ rel: 'next', href: page2.request.url }],
        },
      },
    };
    ({ rp, session } = await replaySession([[token, discovery, page1, stuck]]));
    const seen: string[] = [];
    const run = async () => {
      for await (const f of session!.list<{ name: string }>('compute', 'flavors/detail', 'flavors', {
        limit: 2,
        sort_key: 'name',
        sort_dir: 'asc',
      }))
        seen.push(f.name);
    };
    await expect(run()).rejects.toMatchObject({ code: 'E_PAGINATION_LOOP' });
    expect(seen).toEqual(['ds.nano', 'm1.medium', 'm1.small', 'm1.tiny']);
    rp.assertDone();
  });
});

describe('paginate', () => {
  it('stops on a page with no items even when it carries a next link', async () => {
    const asked: unknown[] = [];
    const items = paginate<number>('things', { limit: 2 }, (q) => {
      asked.push(q);
      return Promise.resolve({
        items: [],
        body: { things: [], things_links: [{ rel: 'next', href: '/t?marker=z' }] },
        headers: {},
      });
    });
    const got: number[] = [];
    for await (const i of items) got.push(i);
    expect(got).toEqual([]);
    expect(asked).toEqual([{ limit: 2 }]);
  });

  it('throws a DownpourError on an endless loop before asking for the same query twice', async () => {
    let calls = 0;
    const items = paginate<number>('things', {}, () => {
      calls++;
      return Promise.resolve({
        items: [calls],
        body: { things_links: [{ rel: 'next', href: '/t?marker=same' }] },
        headers: {},
      });
    });
    const got: number[] = [];
    const run = async () => {
      for await (const i of items) got.push(i);
    };
    const err: unknown = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownpourError);
    expect((err as DownpourError).message).toContain('endless pagination loop in things');
    expect(calls).toBe(2);
    expect(got).toEqual([1, 2]);
  });
});
