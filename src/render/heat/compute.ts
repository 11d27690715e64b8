/**
 * Keypairs, server groups, images, volumes and servers as Heat resources. An image is never one:
 * Heat cannot carry its bytes, so the upload step puts it into Glance and a parameter names it.
 */
import type { KindName } from '../../kinds/model.js';
import { docOf, refTo } from '../model.js';
import {
  list,
  nonEmpty,
  ownTags,
  props,
  ref,
  single,
  str,
  zoneParam,
  type BlockMaker,
  type HeatResource,
} from './common.js';

export const keypair: BlockMaker = (_ctx, r) =>
  single(r, 'OS::Nova::KeyPair', {
    name: r.name,
    public_key: str(r.doc['public_key']),
    type: str(r.doc['type']),
  });

export const serverGroup: BlockMaker = (_ctx, r) => {
  const rules = docOf(r, 'compute.server-group').rules;
  return single(r, 'OS::Nova::ServerGroup', {
    name: r.name,
    policies: [str(r.doc['policy'])],
    rules: rules && Object.keys(rules).length ? rules : undefined,
  });
};

/** An image is no Heat resource: the upload step puts it into Glance, the template takes its name. */
export const image: BlockMaker = (ctx, r) => {
  const parameter = ctx.imageParameters.get(r.symbol);
  const comment = [r.comment];
  if (r.data && parameter)
    comment.push(
      `Heat cannot carry its bytes: upload-data.sh uploads data/${r.data.file} as image "${r.data.imageName}",`,
      `and the template takes that image through parameter ${parameter}.`,
    );
  else if (parameter)
    comment.push(
      `The bundle holds no data for it: parameter ${parameter} names an image that exists at the destination.`,
    );
  return { comment, resources: [] };
};

export const volume: BlockMaker = (ctx, r) => {
  const d = r.doc;
  const parameter = ctx.imageParameters.get(r.symbol);
  const metadata = Object.fromEntries(
    Object.entries(docOf(r, 'block-storage.volume').metadata ?? {}).filter(
      ([k]) => !k.startsWith('downpour:'),
    ),
  );
  const extra: string[] = [];
  if (r.data && parameter)
    extra.push(`Its data arrives through image parameter ${parameter}, which upload-data.sh uploads.`);
  if (r.data && d['bootable'] === 'false') {
    extra.push(
      'Cinder marks a volume made from an image bootable; finish.sh clears the flag, as at the source.',
    );
    ctx.finish.push({
      action: 'volume-not-bootable',
      resource: r.symbol,
      comment: `${r.comment}: not bootable at the source`,
    });
  }
  if (d['multiattach'] === true)
    ctx.limits.push(
      `Volume ${r.name ?? r.sourceId} was multi-attach at the source; Heat's OS::Cinder::Volume has no such property: map it to a multi-attach volume type.`,
    );
  return single(
    r,
    'OS::Cinder::Volume',
    {
      name: r.name,
      description: nonEmpty(d['description']),
      size: d['size'],
      image: parameter ? { get_param: parameter } : undefined,
      volume_type: ref(ctx, 'block-storage.volume-type', d['volume_type']),
      availability_zone: zoneParam(ctx, r),
      metadata: Object.keys(metadata).length ? metadata : undefined,
    },
    extra,
  );
};

interface VolumeDoc {
  volume_id: string;
  boot_index: number | null;
  delete_on_termination: boolean;
}

/** Nova tags must match ^[^,/]*$ and be at most 60 characters. */
const novaTag = (t: string) => t.length <= 60 && !/[,/]/.test(t);

export const server: BlockMaker = (ctx, r) => {
  const d = r.doc;
  const volumes = list<VolumeDoc>(d['volumes']);
  const boot = volumes.find((v) => v.boot_index === 0);
  const bootVolume = boot ? ref(ctx, 'block-storage.volume', boot.volume_id) : undefined;
  const tags = ownTags(d['tags']).filter(novaTag);
  const group = ref(ctx, 'compute.server-group', d['server_group']);
  const metadata = Object.fromEntries(
    Object.entries(docOf(r, 'compute.server').metadata ?? {}).filter(([k]) => !k.startsWith('downpour:')),
  );
  const extra: string[] = [];
  if (ctx.model.notes.some((n) => n.key === r.key && n.code === 'USER_DATA_UNREADABLE'))
    extra.push('Its user_data could not be read at the source (admin-only): it is created without.');
  const resources: HeatResource[] = [
    {
      name: r.symbol,
      type: 'OS::Nova::Server',
      properties: props({
        name: r.name,
        flavor: ref(ctx, 'compute.flavor', d['flavor']),
        image: ref(ctx, 'image.image', d['image']),
        block_device_mapping_v2: bootVolume
          ? [{ volume_id: bootVolume, boot_index: 0, delete_on_termination: false }]
          : undefined,
        networks: list<string>(d['ports']).flatMap((p) => {
          const portRef = ref(ctx, 'network.port', p);
          return portRef ? [{ port: portRef }] : [];
        }),
        key_name: ref(ctx, 'compute.keypair', d['key_name']),
        scheduler_hints: group ? { group } : undefined,
        availability_zone: zoneParam(ctx, r),
        metadata: Object.keys(metadata).length ? metadata : undefined,
        tags: tags.length ? tags : undefined,
        config_drive: d['config_drive'] === true ? true : undefined,
        // No user_data: RAW keeps Heat from writing its own boot scripts into the server.
        user_data_format: 'RAW',
      }),
    },
  ];
  for (const v of volumes.filter((x) => x.boot_index !== 0)) {
    const found = refTo(ctx.model, 'block-storage.volume', v.volume_id);
    if (found?.type !== 'resource') continue;
    resources.push({
      name: ctx.names.take(`${r.symbol}_attach_${found.resource.symbol.replace(/^volume_/, '')}`),
      type: 'OS::Cinder::VolumeAttachment',
      comment: [
        `${found.resource.name ?? found.resource.symbol} attached to ${r.name ?? r.symbol} after boot`,
      ],
      properties: {
        instance_uuid: { get_resource: r.symbol },
        volume_id: { get_resource: found.resource.symbol },
      },
    });
    if (v.delete_on_termination)
      ctx.limits.push(
        `Volume ${found.resource.name ?? v.volume_id} was deleted with server ${r.name ?? r.sourceId} at the source; an OS::Cinder::VolumeAttachment cannot say so: it outlives the server.`,
      );
  }
  if (d['status'] === 'SHUTOFF') {
    extra.push('It was stopped (SHUTOFF) at the source: finish.sh stops it.');
    ctx.finish.push({
      action: 'server-stop',
      resource: r.symbol,
      comment: `${r.comment}: SHUTOFF at the source`,
    });
  }
  if (nonEmpty(d['description']))
    ctx.limits.push(
      `Server ${r.name ?? r.sourceId} had a description; Heat's OS::Nova::Server has no such property: it is left out.`,
    );
  return { comment: [r.comment, ...extra], resources };
};

/** The blocks of this file by kind name: part of the template's table (`HEAT_KINDS`). */
export const HEAT_COMPUTE = {
  'compute.keypair': keypair,
  'compute.server-group': serverGroup,
  'image.image': image,
  'block-storage.volume': volume,
  'compute.server': server,
} satisfies Partial<Record<KindName, BlockMaker>>;
