/**
 * Tasks for Swift containers, with openstack.cloud.object_container: name, metadata and ACLs.
 * The module (2.x) has no option for a storage policy or for versioning, and finds a
 * container by its name; the playbook carries no objects.
 */
import type { KindName } from '../../kinds/model.js';
import { docOf, type RenderResource } from '../model.js';
import { asIsAcl, containerAcl, objectsHeld, ownerEntries } from '../object-store.js';
import { record, type AnsibleKind, type PlaybookContext } from './context.js';
import type { Task } from './yaml.js';

/** The ACL the task sets, and what it leaves out, said once per container. */
function acl(ctx: PlaybookContext, r: RenderResource, field: 'read_acl' | 'write_acl'): string | undefined {
  const which = field === 'read_acl' ? 'read' : 'write';
  const found = containerAcl(docOf(r, 'object-store.container'), field);
  const owner = ownerEntries(found);
  if (owner.length)
    ctx.cannot(
      r,
      `its ${which} ACL entries naming the source project or user (${owner.join(', ')}) are left out: the playbook does not know the destination's project and user ids. Add them afterwards (\`swift post --${which}-acl\` sets the whole ACL)`,
    );
  if (found?.dropped.length)
    ctx.cannot(
      r,
      `its ${which} ACL entries naming other projects or users of the source (${found.dropped.join(', ')}) are left out, as Downpour's import leaves them out`,
    );
  return asIsAcl(found);
}

export function containerTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  const d = docOf(r, 'object-store.container');
  const name = ctx.name(r);
  ctx.cannot(
    undefined,
    'Containers are created empty: their objects are not in the playbook. `downpour import` uploads them (a bundle of containers only: `downpour select --container`; `containers: { NAME: merge }` in map.yaml to fill a container the playbook made)',
  );
  if (d.storage_policy)
    ctx.cannot(
      r,
      `its storage policy ${d.storage_policy} is not set: the object_container module has no option for it, so it gets the destination's default policy`,
    );
  const legacy = d.versions_location
    ? `X-Versions-Location: ${d.versions_location}`
    : d.history_location
      ? `X-History-Location: ${d.history_location}`
      : undefined;
  if (legacy)
    ctx.cannot(
      r,
      `its legacy versioning (${legacy}) is not set: the object_container module has no option for it (\`swift post --header '${legacy}' ${name}\` sets it)`,
    );
  if (d.versions_enabled)
    ctx.cannot(
      r,
      `its object versioning (X-Versions-Enabled) is not turned on: the object_container module has no option for it (\`swift post --header 'X-Versions-Enabled: true' ${name}\`, before any object is uploaded)`,
    );
  return [
    ctx.task(r, {
      comment: [
        ...ctx.header(r),
        `Created empty: its objects (${objectsHeld(d)} at the source) are not in the playbook (README.md).`,
      ],
      name: `container ${name}`,
      module: 'openstack.cloud.object_container',
      args: {
        name,
        metadata: record(d.metadata),
        read_ACL: acl(ctx, r, 'read_acl'),
        write_ACL: acl(ctx, r, 'write_acl'),
      },
      register: ctx.register(r),
    }),
  ];
}

/**
 * The volume_snapshot module snapshots a volume as it is now: it would hold the copy's current
 * data, not the snapshot's. Left to `downpour import`, and said so.
 */
export function snapshotTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  ctx.cannot(
    r,
    "the volume_snapshot module can only snapshot a volume's current data, not write a snapshot's own; `downpour import` makes it",
  );
  return [];
}

/** The blocks of this file by kind name: part of the playbook's table (`ANSIBLE_KINDS`). */
export const ANSIBLE_STORAGE = {
  'block-storage.snapshot': { tag: 'snapshot', tasks: snapshotTasks },
  'object-store.container': {
    tag: 'container',
    tasks: containerTasks,
    idPath: 'container.id',
    named: 'container',
  },
} satisfies Partial<Record<KindName, AnsibleKind>>;
