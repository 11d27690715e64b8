/**
 * Swift containers as terraform-provider-openstack blocks, with the settings Downpour's import
 * gives them (src/kinds/container/apply.ts): metadata, ACLs whose entries for the source
 * project and user name the provider's own, storage policy, versioning. Objects are not in the
 * configuration (README.md says what carries them).
 */
import type { KindName } from '../../kinds/model.js';
import { expr, quote, type HclValue } from '../hcl.js';
import { docOf, type RenderResource } from '../model.js';
import {
  containerAcl,
  objectsHeld,
  type AclProject,
  type AclUser,
  type ContainerAcl,
} from '../object-store.js';
import { Body, stringMap } from './body.js';
import { resource, TF_TYPE, type TerraformKind, type TfContext, type TfEmit } from './context.js';

/**
 * An ACL as an argument: entries naming nobody as they are, those naming the source project
 * or user as a template on the provider's project and user.
 */
function aclValue(ctx: TfContext, acl: ContainerAcl | undefined): HclValue | undefined {
  if (!acl?.entries.length) return undefined;
  if (acl.entries.every((e) => e.type === 'as-is')) return acl.entries.map((e) => e.text).join(',');
  const part = (p: AclProject | AclUser) => (p === '*' ? '*' : `\${${ctx.scope(p).text}}`);
  const parts = acl.entries.map((e) =>
    e.type === 'as-is' ? quote(e.text).slice(1, -1) : `${part(e.project)}:${part(e.user)}`,
  );
  return expr(`"${parts.join(',')}"`);
}

export function containerEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = docOf(r, 'object-store.container');
  const notes = [
    `Created empty: its objects (${objectsHeld(d)} at the source) are not in this configuration (README.md).`,
  ];
  const read = containerAcl(d, 'read_acl');
  const write = containerAcl(d, 'write_acl');
  for (const [which, acl] of [
    ['read', read],
    ['write', write],
  ] as const)
    if (acl?.dropped.length)
      notes.push(
        `Left out of its ${which} ACL, as Downpour's import leaves them out: ${acl.dropped.join(', ')} (other projects or users of the source).`,
      );
  const body = new Body()
    .set('name', d.name)
    .set('storage_policy', d.storage_policy ?? undefined)
    .set('container_read', aclValue(ctx, read))
    .set('container_write', aclValue(ctx, write))
    .set('metadata', stringMap(d.metadata));
  const legacy = d.versions_location
    ? { type: 'versions', location: d.versions_location }
    : d.history_location
      ? { type: 'history', location: d.history_location }
      : undefined;
  if (d.versions_location && d.history_location)
    notes.push(
      `It named both X-Versions-Location and X-History-Location; only ${d.versions_location} (versions) is kept.`,
    );
  if (d.versions_enabled) {
    body.set('versioning', true);
    if (legacy)
      notes.push(
        `Its legacy versioning (${legacy.type} in ${legacy.location}) is left out: the provider takes one kind of versioning only.`,
      );
  } else if (legacy) {
    // Within the bundle the other container is a block of its own: a reference orders them.
    const location =
      legacy.location === d.name ? undefined : ctx.refOf('object-store.container', legacy.location, 'name');
    body.block(
      'versioning_legacy',
      new Body().set('type', legacy.type).set('location', location ?? legacy.location),
    );
    notes.push(
      'The provider marks versioning_legacy deprecated in favour of versioning; it is the only way to keep X-Versions-Location or X-History-Location.',
    );
  }
  const main = resource(ctx, TF_TYPE.container, r.symbol, body);
  return { blocks: [main], main, mapped: true, notes };
}

/** The provider has no volume snapshot resource: nothing is written; the README says so. */
export function snapshotEmit(): TfEmit {
  return { blocks: [], main: undefined, mapped: false };
}

/** The blocks of this file by kind name: part of the configuration's table (`TERRAFORM_KINDS`). */
export const TERRAFORM_STORAGE = {
  'object-store.container': { emit: containerEmit, summary: 12 },
  'block-storage.snapshot': { emit: snapshotEmit },
} satisfies Partial<Record<KindName, TerraformKind>>;
