/**
 * Swift containers as `OS::Swift::Container` (Heat 19, Zed): name, ACLs and metadata. The
 * resource has no property for a storage policy or for versioning, and a template carries no
 * objects: what it leaves out goes to the README's limits.
 */
import type { KindName } from '../../kinds/model.js';
import { docOf } from '../model.js';
import { asIsAcl, containerAcl, objectsHeld, ownerEntries } from '../object-store.js';
import { props, type BlockMaker, type HeatContext } from './common.js';

/** Said once per template, whatever the number of containers. */
const OBJECTS_LIMIT =
  '**Objects.** A stack creates containers empty: their objects are not in the template. `downpour import` uploads them (a bundle of containers only: `downpour select --container`; `containers: { NAME: merge }` in map.yaml to fill a container the stack made). With PurgeOnDelete false, deleting the stack fails while a container still holds objects: empty it first.';

function limitOnce(ctx: HeatContext, text: string): void {
  if (!ctx.limits.includes(text)) ctx.limits.push(text);
}

export const container: BlockMaker = (ctx, r) => {
  const d = docOf(r, 'object-store.container');
  const what = `Container ${d.name}`;
  const acls = {
    read: containerAcl(d, 'read_acl'),
    write: containerAcl(d, 'write_acl'),
  };
  for (const [which, acl] of Object.entries(acls)) {
    const owner = ownerEntries(acl);
    if (owner.length)
      ctx.limits.push(
        `${what}: its ${which} ACL entries naming the source project or user (${owner.join(', ')}) are left out: the template cannot know the destination's project and user ids. Add them after the stack is created: \`swift post --${which}-acl\` sets the whole ACL.`,
      );
    if (acl?.dropped.length)
      ctx.limits.push(
        `${what}: its ${which} ACL entries naming other projects or users of the source (${acl.dropped.join(', ')}) are left out, as Downpour's import leaves them out.`,
      );
  }
  if (d.storage_policy)
    ctx.limits.push(
      `${what} had storage policy ${d.storage_policy}; OS::Swift::Container has no property for it: it gets the destination's default policy.`,
    );
  const legacy = d.versions_location
    ? `X-Versions-Location: ${d.versions_location}`
    : d.history_location
      ? `X-History-Location: ${d.history_location}`
      : undefined;
  if (legacy)
    ctx.limits.push(
      `${what} kept older versions in another container (${legacy}); OS::Swift::Container has no property for it: set it after the stack is created (\`swift post --header '${legacy}' ${d.name}\`).`,
    );
  if (d.versions_enabled)
    ctx.limits.push(
      `${what} had object versioning on (X-Versions-Enabled); OS::Swift::Container has no property for it: turn it on after the stack is created, before any object is uploaded (\`swift post --header 'X-Versions-Enabled: true' ${d.name}\`).`,
    );
  limitOnce(ctx, OBJECTS_LIMIT);
  const metadata = Object.keys(d.metadata).length ? d.metadata : undefined;
  return {
    comment: [
      r.comment,
      `Heat creates the container only: its objects (${objectsHeld(d)} at the source) are not in the stack; \`downpour import\` carries them (see README.md).`,
    ],
    resources: [
      {
        name: r.symbol,
        type: 'OS::Swift::Container',
        properties: props({
          name: d.name,
          'X-Container-Read': asIsAcl(acls.read),
          'X-Container-Write': asIsAcl(acls.write),
          'X-Container-Meta': metadata,
          // Deleting the stack never deletes objects it did not make.
          PurgeOnDelete: false,
        }),
      },
    ],
  };
};

/** Heat has no snapshot resource, and no resource writes a snapshot's own bytes: a limit, not a block. */
export const snapshot: BlockMaker = (ctx, r) => {
  const d = docOf(r, 'block-storage.snapshot');
  ctx.limits.push(
    `Volume snapshot ${d.name ?? r.sourceId}: a template can neither hold a snapshot's data nor take a snapshot; \`downpour import\` makes it (as a snapshot of a volume of its own that holds its data).`,
  );
  return { comment: [r.comment, 'Not in the template: see the README.'], resources: [] };
};

/** The blocks of this file by kind name: part of the template's table (`HEAT_KINDS`). */
export const HEAT_STORAGE = {
  'object-store.container': container,
  'block-storage.snapshot': snapshot,
} satisfies Partial<Record<KindName, BlockMaker>>;
