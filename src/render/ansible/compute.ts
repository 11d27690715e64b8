/**
 * Tasks for keypairs, server groups, images, volumes and servers: what Downpour's import does
 * for them (src/kinds/apply/), with the openstack.cloud modules.
 */
import { DATA_DIR } from '../data-script.js';
import type { KindName } from '../../kinds/model.js';
import { docOf, type RenderResource } from '../model.js';
import { int, list, record, text, type AnsibleKind, type PlaybookContext } from './context.js';
import { Jinja, expr, type Task, type Value } from './yaml.js';

/** Seconds a data upload or a server build may take; the modules' default is 180. */
const DATA_TIMEOUT = 3600;
const SERVER_TIMEOUT = 1800;

const dataFile = (file: string) => new Jinja(`{{ playbook_dir }}/${DATA_DIR}/${file}`);

export function keypairTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  if (r.doc['type'] === 'x509')
    ctx.cannot(r, 'it is an x509 certificate; the keypair module creates SSH keys only');
  return [
    ctx.task(r, {
      comment: [
        ...ctx.header(r),
        'A key of this name with another public key stops the run ("key hash not the same").',
      ],
      name: `keypair ${ctx.name(r)}`,
      module: 'openstack.cloud.keypair',
      args: { name: ctx.name(r), public_key: text(r.doc['public_key']) },
      register: ctx.register(r),
    }),
  ];
}

export function serverGroupTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  return [
    ctx.task(r, {
      comment: ctx.header(r),
      name: `server group ${ctx.name(r)}`,
      module: 'openstack.cloud.server_group',
      args: { name: ctx.name(r), policy: text(r.doc['policy']), rules: record(r.doc['rules']) },
      register: ctx.register(r),
    }),
  ];
}

function imageArgs(r: RenderResource, name: string): Record<string, Value | undefined> {
  const d = r.data;
  if (!d) return { name };
  return {
    name,
    filename: dataFile(d.file),
    disk_format: d.diskFormat,
    container_format: d.containerFormat,
    min_disk: d.minDisk,
    min_ram: d.minRam,
    properties: Object.keys(d.properties).length ? d.properties : undefined,
    timeout: DATA_TIMEOUT,
  };
}

export function imageTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  const tags = list<string>(r.doc['tags']).filter((t) => !t.startsWith('downpour:'));
  if (!r.data) ctx.cannot(r, 'the bundle holds no data for it: the image is created empty');
  return [
    ctx.task(r, {
      comment: [
        ...ctx.header(r),
        ...(r.data
          ? [`Uploads data/${r.data.file} (${r.data.size} bytes, SHA-256 checked by data/assemble.sh).`]
          : []),
      ],
      name: `image ${ctx.name(r)}`,
      module: 'openstack.cloud.image',
      args: { ...imageArgs(r, ctx.name(r)), tags: tags.length ? tags : undefined },
      register: ctx.register(r),
    }),
  ];
}

/**
 * A volume with data is created from a staging image holding it (the interoperable way into
 * Cinder), which is deleted once the volume is there. The volume is looked up first so that a
 * rerun, finding it, does not upload the data again.
 */
export function volumeTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  const name = ctx.name(r);
  const staging = r.data ? `${name}-volume-data` : undefined;
  if (r.data && r.doc['bootable'] === 'false')
    ctx.cannot(
      r,
      "Cinder marks a volume made from an image bootable; the source's was not, and no 2.x module clears the flag (Downpour's import does)",
    );
  const volume = ctx.task(r, {
    comment: [
      ...(r.data ? [] : ctx.header(r)),
      ...(staging ? [`Made from the staging image ${staging}.`] : []),
    ],
    name: `volume ${name}`,
    module: 'openstack.cloud.volume',
    args: {
      name,
      size: int(r.doc['size']),
      image: staging,
      volume_type: ctx.ref(
        'block-storage.volume-type',
        docOf(r, 'block-storage.volume').volume_type ?? undefined,
      ),
      availability_zone: ctx.zone(r),
      metadata: record(r.doc['metadata']),
      description: text(r.doc['description']),
      is_multiattach: r.doc['multiattach'] === true ? true : undefined,
      ...(staging ? { timeout: DATA_TIMEOUT } : {}),
    },
    register: ctx.register(r),
  });
  if (!r.data || !staging) return [volume];
  const found = ctx.vars.take(`${ctx.register(r)}_found`);
  return [
    ctx.task(r, {
      comment: ctx.header(r),
      name: `volume ${name}: is it there already`,
      module: 'openstack.cloud.volume_info',
      args: { name },
      register: found,
    }),
    ctx.task(r, {
      comment: [`Uploads data/${r.data.file} (${r.data.size} bytes, SHA-256 checked by data/assemble.sh).`],
      name: `volume ${name}: staging image ${staging}`,
      module: 'openstack.cloud.image',
      args: imageArgs(r, staging),
      when: `${found}.volumes | length == 0`,
    }),
    volume,
    ctx.task(r, {
      name: `volume ${name}: staging image ${staging} removed`,
      module: 'openstack.cloud.image',
      args: { name: staging, state: 'absent' },
    }),
  ];
}

interface VolumeRef {
  volume_id: string;
  boot_index: number | null;
}

/** Nova tags: no comma or slash, at most 60 characters, at most 50 (as the import filters them). */
const novaTag = (t: string) => t.length <= 60 && !/[,/]/.test(t);

export function serverTasks(ctx: PlaybookContext, r: RenderResource): Task[] {
  const name = ctx.name(r);
  const ports = list<string>(r.doc['ports']).flatMap((p) => {
    const port = ctx.resourceOf('network.port', p);
    return port ? [port] : [];
  });
  // The groups its ports have. Nova applies none to existing ports, but the server module, on a
  // rerun, removes every group it is not given: naming them keeps them.
  const groups = new Map<string, Jinja>();
  for (const port of ports) {
    if (port.doc['port_security_enabled'] === false) continue;
    for (const g of list<string>(port.doc['security_groups'])) {
      const ref = ctx.ref('network.security-group', g);
      if (ref) groups.set(ref.template, ref);
    }
  }
  const volumes = list<VolumeRef>(r.doc['volumes']);
  const boot = volumes.find((v) => v.boot_index === 0);
  const tags = list<string>(r.doc['tags'])
    .filter((t) => !t.startsWith('downpour:') && novaTag(t))
    .slice(0, 50);
  if (tags.length) ctx.need('2.4.0', 'server tags');
  const keyName = text(r.doc['key_name']);
  const key = keyName ? ctx.ref('compute.keypair', keyName) : undefined;
  if (keyName && !key) ctx.cannot(r, `its keypair ${keyName} is not in the bundle: the server gets none`);
  const d = docOf(r, 'compute.server');
  const group = ctx.ref('compute.server-group', d.server_group ?? undefined);
  const image = boot ? undefined : ctx.ref('image.image', d.image ?? undefined);
  if (!boot && !image)
    ctx.cannot(r, 'the bundle holds neither its image nor its boot volume: the server task fails');
  const server = ctx.task(r, {
    comment: [
      ...ctx.header(r),
      ...(boot ? ['Boots from its volume (block_device_mapping_v2, kept when the server is deleted).'] : []),
    ],
    name: `server ${name}`,
    module: 'openstack.cloud.server',
    args: {
      name,
      flavor: ctx.ref('compute.flavor', d.flavor),
      ...(boot ? { boot_volume: ctx.ref('block-storage.volume', boot.volume_id) } : { image }),
      nics: ports.map((p) => ({ 'port-id': expr(ctx.idOf(p)) })),
      security_groups: [...groups.values()],
      key_name: key,
      availability_zone: ctx.zone(r),
      scheduler_hints: group ? { group } : undefined,
      metadata: record(r.doc['metadata']),
      tags: tags.length ? tags : undefined,
      config_drive: r.doc['config_drive'] === true ? true : undefined,
      description: text(r.doc['description']),
      // No floating IP of the module's own choosing: the bundle's floating IPs follow.
      auto_ip: false,
      timeout: SERVER_TIMEOUT,
    },
    register: ctx.register(r),
  });
  const tasks = [server];
  for (const v of volumes.filter((x) => x.boot_index !== 0)) {
    const volume = ctx.resourceOf('block-storage.volume', v.volume_id);
    if (!volume) continue;
    tasks.push(
      ctx.task(r, {
        comment: [],
        name: `server ${name}: volume ${ctx.name(volume)} attached`,
        module: 'openstack.cloud.server_volume',
        args: { server: expr(ctx.idOf(r)), volume: expr(ctx.idOf(volume)) },
      }),
    );
  }
  if (r.doc['status'] === 'SHUTOFF') {
    tasks.push(
      ctx.task(r, {
        comment: ['The source server was stopped: so is its copy.'],
        name: `server ${name}: stopped`,
        module: 'openstack.cloud.server_action',
        // `server` is the 2.x alias of `name`, and the 1.x name.
        args: { server: expr(ctx.idOf(r)), action: 'stop' },
      }),
    );
  }
  return tasks;
}

/** The blocks of this file by kind name: part of the playbook's table (`ANSIBLE_KINDS`). */
export const ANSIBLE_COMPUTE = {
  'compute.keypair': { tag: 'keypair', tasks: keypairTasks, idPath: 'keypair.name', named: 'keypair' },
  'compute.server-group': {
    tag: 'server_group',
    tasks: serverGroupTasks,
    idPath: 'server_group.id',
    named: 'server-group',
  },
  'image.image': { tag: 'image', tasks: imageTasks, idPath: 'image.id', named: 'image' },
  'block-storage.volume': { tag: 'volume', tasks: volumeTasks, idPath: 'volume.id', named: 'volume' },
  'compute.server': { tag: 'server', tasks: serverTasks, idPath: 'server.id', named: 'server' },
} satisfies Partial<Record<KindName, AnsibleKind>>;
