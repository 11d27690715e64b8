import { describe, expect, it } from 'vitest';
import { mapAcl } from '../../../src/kinds/container/acl.js';

const source = { project_id: 'p-src', project_name: 'shop', user_id: 'u-src' };
const destination = { project_id: 'p-dst', project_name: 'shop-b', user_id: 'u-dst' };

describe('Swift ACL mapping', () => {
  it('keeps referrer and listing entries, rewrites the source project and user, drops everyone else', () => {
    expect(
      mapAcl('.r:*, .rlistings,p-src:u-src,p-src:*,*:u-src,other:*,p-src:someone', source, destination),
    ).toEqual({
      value: '.r:*,.rlistings,p-dst:u-dst,p-dst:*,*:u-dst',
      dropped: ['other:*', 'p-src:someone'],
    });
  });

  it('maps the project by name as well (the legacy name form), and drops an entry with no project part', () => {
    expect(mapAcl('shop:*,lonely', source, destination)).toEqual({ value: 'shop-b:*', dropped: ['lonely'] });
  });

  it('gives nothing for an ACL of strangers only', () => {
    expect(mapAcl('a:b', source, destination)).toEqual({ value: '', dropped: ['a:b'] });
  });
});
