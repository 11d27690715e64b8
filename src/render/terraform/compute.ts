/**
 * Nova, Glance and Cinder resources as terraform-provider-openstack blocks, created the way
 * Downpour's import creates them (src/kinds/apply/compute.ts, image.ts, volume.ts, server.ts):
 * image and volume data uploaded from the files data/assemble.sh rebuilds, a volume's data
 * through an image it is created from, boot from volume as a block device, data volumes
 * attached after boot, a stopped source server stopped again.
 */
import type { KindName } from '../../kinds/model.js';
import { DATA_DIR } from '../data-script.js';
import { expr, type HclExpr } from '../hcl.js';
import { docOf, zoneInput, type RenderData, type RenderResource } from '../model.js';
import { Body, list, num, ownTags, str, stringMap, strings, text } from './body.js';
import {
  required,
  resource,
  TF_TYPE,
  type TerraformKind,
  type TfBlock,
  type TfContext,
  type TfEmit,
} from './context.js';

export function keypairEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  const notes =
    str(d['type']) === 'x509'
      ? ['An x509 keypair at the source: the provider uploads every key as ssh.']
      : [];
  const main = resource(
    ctx,
    TF_TYPE.keypair,
    r.symbol,
    new Body().set('name', r.name ?? str(d['name'])).set('public_key', str(d['public_key'])),
  );
  return { blocks: [main], main, mapped: true, notes };
}

export function serverGroupEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  const perHost = num(docOf(r, 'compute.server-group').rules?.max_server_per_host);
  const body = new Body().set('name', str(d['name'])).set('policies', strings([d['policy']]));
  if (perHost !== undefined) body.block('rules', new Body().set('max_server_per_host', perHost));
  const main = resource(ctx, TF_TYPE.serverGroup, r.symbol, body);
  return { blocks: [main], main, mapped: true };
}

/** `"${path.module}/data/FILE"`: the file data/assemble.sh rebuilds, wherever the folder is. */
function dataPath(data: RenderData): HclExpr {
  if (!/^[A-Za-z0-9_.-]+$/.test(data.file))
    throw new Error(`terraform: unexpected data file name ${data.file}`);
  return expr(`"\${path.module}/${DATA_DIR}/${data.file}"`);
}

/** The Glance image a data file is uploaded as: private, its properties kept. */
function imageBody(name: string, data: RenderData, tags: string[] | undefined): Body {
  return new Body()
    .set('name', name)
    .set('container_format', data.containerFormat)
    .set('disk_format', data.diskFormat)
    .set('local_file_path', dataPath(data))
    .set('min_disk_gb', data.minDisk > 0 ? data.minDisk : undefined)
    .set('min_ram_mb', data.minRam > 0 ? data.minRam : undefined)
    .set('visibility', 'private')
    .set('properties', Object.keys(data.properties).length ? data.properties : undefined)
    .set('tags', tags);
}

export function imageEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  if (!r.data) throw new Error(`terraform: image ${r.name ?? r.sourceId} has no data in the bundle`);
  const main = resource(
    ctx,
    TF_TYPE.image,
    r.symbol,
    imageBody(r.data.imageName, r.data, ownTags(d['tags'])),
    [`Uploaded from ${DATA_DIR}/${r.data.file} (${r.data.size} bytes, SHA-256 ${r.data.sha256}).`],
  );
  return { blocks: [main], main, mapped: true };
}

export function volumeEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  const blocks: TfBlock[] = [];
  const notes: string[] = [];
  let staging: TfBlock | undefined;
  if (r.data) {
    staging = resource(
      ctx,
      TF_TYPE.image,
      `${r.symbol}_data`,
      imageBody(r.data.imageName, r.data, undefined),
      [
        `The data of volume ${r.name ?? r.sourceId}, from ${DATA_DIR}/${r.data.file} (${r.data.size} bytes, SHA-256 ${r.data.sha256}).`,
        "Cinder takes a volume's bytes only from an image. Downpour's own import deletes this image once the",
        'volume exists; here it stays, since the volume refers to it (deleting it would make Terraform upload it again).',
      ],
    );
    blocks.push(staging);
    if (d['bootable'] === 'false')
      notes.push(
        'Cinder marks a volume made from an image bootable; the source volume was not, and the provider cannot',
        "clear the flag (Downpour's import does; by hand: openstack volume set --non-bootable).",
      );
  }
  if (d['multiattach'] === true)
    notes.push('Multi-attach comes from the volume type at the destination: choose one that allows it.');
  const volumeType = str(d['volume_type']);
  const zone = zoneInput(ctx.model, r);
  const main = resource(
    ctx,
    TF_TYPE.volume,
    r.symbol,
    new Body()
      .set('name', str(d['name']))
      .set('description', text(d['description']))
      .set('size', num(d['size']))
      .set('image_id', staging ? ctx.ref(staging) : undefined)
      .set('volume_type', volumeType ? ctx.refOf('block-storage.volume-type', volumeType) : undefined)
      .set('availability_zone', zone ? ctx.inputRef(zone) : undefined)
      .set('metadata', stringMap(d['metadata'])),
    staging ? [`Volume ${r.name ?? r.sourceId}, created from the image above.`, ...notes] : notes,
  );
  blocks.push(main);
  return { blocks, main, mapped: true };
}

interface VolumeDoc {
  volume_id: string;
  boot_index: number | null;
  delete_on_termination: boolean;
}

/** Nova tags must match ^[^,/]*$ and be at most 60 characters. */
const novaTag = (t: string) => t.length <= 60 && !/[,/]/.test(t) && !t.startsWith('downpour:');

export function serverEmit(ctx: TfContext, r: RenderResource): TfEmit {
  const d = r.doc;
  const notes: string[] = [];
  const body = new Body()
    .set('name', str(d['name']) ?? r.sourceId)
    .set(
      'flavor_name',
      required(ctx.refOf('compute.flavor', String(d['flavor'])), `the flavor of server ${r.name}`),
    );
  const image = str(d['image']);
  if (image) {
    const input = ctx.inputOf('image.image', image);
    if (input) body.set('image_name', ctx.inputRef(input));
    else body.set('image_id', ctx.refOf('image.image', image));
  }
  const zone = zoneInput(ctx.model, r);
  body
    .set(
      'key_pair',
      str(d['key_name']) ? ctx.refOf('compute.keypair', String(d['key_name']), 'name') : undefined,
    )
    .set('availability_zone', zone ? ctx.inputRef(zone) : undefined)
    .set('config_drive', d['config_drive'] === true ? true : undefined)
    .set('metadata', stringMap(d['metadata']))
    .set('tags', strings(d['tags'], novaTag))
    // The source server was stopped: so is its copy, once built.
    .set('power_state', d['status'] === 'SHUTOFF' ? 'shutoff' : undefined);
  const volumes = list<VolumeDoc>(d['volumes']);
  const boot = volumes.find((v) => v.boot_index === 0);
  if (boot) {
    body.block(
      'block_device',
      new Body()
        .set('uuid', ctx.refOf('block-storage.volume', boot.volume_id))
        .set('source_type', 'volume')
        .set('destination_type', 'volume')
        .set('boot_index', 0)
        .set('delete_on_termination', false),
    );
  }
  const group = str(d['server_group'])
    ? ctx.refOf('compute.server-group', String(d['server_group']))
    : undefined;
  if (group) body.block('scheduler_hints', new Body().set('group', group));
  for (const port of list<string>(d['ports'])) {
    const ref = ctx.refOf('network.port', port);
    if (ref) body.block('network', new Body().set('port', ref));
    else notes.push(`Its port ${port} is not in the bundle.`);
  }
  if (text(d['description']))
    notes.push(
      `The provider has no argument for a server's description; it was: ${String(d['description'])}`,
    );
  const main = resource(ctx, TF_TYPE.instance, r.symbol, body);
  const blocks = [main];
  // Data volumes are attached after boot, as Downpour's import does.
  for (const v of volumes.filter((x) => x.boot_index !== 0)) {
    const volume = ctx.resourceOf('block-storage.volume', v.volume_id);
    const volumeBlock = volume && ctx.blockOf(volume);
    if (!volume || !volumeBlock) {
      notes.push(`Its volume ${v.volume_id} is not in the bundle.`);
      continue;
    }
    blocks.push(
      resource(
        ctx,
        TF_TYPE.volumeAttach,
        `${r.symbol}_${volume.symbol}`,
        new Body().set('instance_id', ctx.ref(main)).set('volume_id', ctx.ref(volumeBlock)),
        [
          `Volume ${volume.name ?? volume.sourceId} attached to ${r.name ?? r.sourceId}${
            v.delete_on_termination
              ? ' (at the source it went with the server; an attachment here cannot say so)'
              : ''
          }.`,
        ],
      ),
    );
  }
  return { blocks, main, waitFor: blocks, mapped: true, notes };
}

/** The blocks of this file by kind name: part of the configuration's table (`TERRAFORM_KINDS`). */
export const TERRAFORM_COMPUTE = {
  'compute.keypair': { emit: keypairEmit, summary: 10 },
  'compute.server-group': { emit: serverGroupEmit, summary: 11 },
  'image.image': { emit: imageEmit, summary: 3 },
  'block-storage.volume': { emit: volumeEmit, summary: 2 },
  'compute.server': { emit: serverEmit, summary: 1 },
} satisfies Partial<Record<KindName, TerraformKind>>;
