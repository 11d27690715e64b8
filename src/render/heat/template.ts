/**
 * The render model as a Heat stack: which HOT resources stand for each bundle resource, which
 * parameters the template takes, and what Heat cannot do that the upload and finish steps (or
 * the README) must say. Pure data; `text.ts` writes it out.
 *
 * The mapping follows Downpour's own import (src/kinds/apply): fixed IPs and MAC addresses kept
 * on ports, the source's `default` group merged into the destination's, a volume's data as an
 * image it is created from, boot from volume through block_device_mapping_v2, data volumes
 * attached after boot. Resource types and properties are those of Heat 19 (Zed).
 */
import type { KindName } from '../../kinds/model.js';
import type { RenderModel } from '../model.js';
import {
  CONSTRAINT,
  Names,
  str,
  type BlockMaker,
  type HeatBlock,
  type HeatContext,
  type HeatOutput,
  type HeatParameter,
  type HeatTemplate,
  type HeatUpload,
} from './common.js';
import { HEAT_COMPUTE } from './compute.js';
import { HEAT_NETWORK } from './network.js';
import { GroupGraph } from './group-graph.js';
import { HEAT_SECURITY_GROUPS } from './security-groups.js';
import { HEAT_STORAGE } from './storage.js';

/** Flavors and volume types always exist at the destination: they are parameters, never resources. */
const mustExist: BlockMaker = (_ctx, r) => ({
  comment: [r.comment, 'It must exist at the destination: nothing here creates it.'],
  resources: [],
});

/**
 * Each kind's block in the template, keyed by kind name: the HOT resources that stand for one
 * resource. Each file of blocks keeps its part of the table beside its blocks.
 */
export const HEAT_KINDS: Readonly<Record<KindName, BlockMaker>> = {
  'compute.flavor': mustExist,
  'block-storage.volume-type': mustExist,
  ...HEAT_COMPUTE,
  ...HEAT_NETWORK,
  ...HEAT_SECURITY_GROUPS,
  ...HEAT_STORAGE,
};

/** Heat resources a resource's properties name through `get_resource`. */
function referenced(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) referenced(v, into);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o['get_resource'] === 'string') into.add(o['get_resource']);
    else for (const v of Object.values(o)) referenced(v, into);
  }
  return into;
}

function parameters(model: RenderModel, names: Names, imageParameters: Map<string, string>): HeatParameter[] {
  const out: HeatParameter[] = model.inputs.map((i) => ({
    name: i.symbol,
    description: i.description,
    ...(CONSTRAINT[i.role] ? { constraint: CONSTRAINT[i.role] as string } : {}),
    value: i.default,
    origin: i.mapped ? `mapped by map.yaml from ${i.source}` : 'the source name',
  }));
  for (const r of model.resources) {
    const isImage = r.kind === 'image.image';
    if (!isImage && !(r.kind === 'block-storage.volume' && r.data)) continue;
    const name = names.take(isImage ? r.symbol : `${r.symbol}_image`);
    imageParameters.set(r.symbol, name);
    if (!r.data) {
      out.push({
        name,
        description: `An existing image standing for ${r.comment}, whose data the bundle does not hold`,
        constraint: 'glance.image',
        value: r.name ?? r.sourceId,
        origin: 'the source name',
      });
      continue;
    }
    out.push({
      name,
      description: isImage
        ? `Image uploaded by upload-data.sh from data/${r.data.file} (${r.comment})`
        : `Image uploaded by upload-data.sh from data/${r.data.file}, that volume ${r.name ?? r.symbol} is created from`,
      constraint: 'glance.image',
      value: r.data.imageName,
      origin: 'the name upload-data.sh gives it',
    });
  }
  return out;
}

/** Source id -> new id, and the new floating IP addresses: what Downpour's import reports at the end. */
function outputs(blocks: HeatBlock[]): HeatOutput[] {
  const ids: Record<string, unknown> = {};
  for (const b of blocks) {
    const primary = b.resources[0];
    if (primary && b.source.kind !== 'network.security-group-rules')
      ids[b.source.sourceId] = { get_resource: primary.name };
  }
  const out: HeatOutput[] = [
    {
      name: 'id_map',
      description: 'Source id -> id at the destination, for every resource this stack creates',
      value: ids,
    },
  ];
  for (const b of blocks) {
    if (b.source.kind !== 'network.floating-ip' || !b.resources[0]) continue;
    const was = str(b.source.doc['floating_ip_address']);
    out.push({
      name: `${b.resources[0].name}_address`,
      description: `The new address of the floating IP that was ${was ?? b.source.sourceId} at the source`,
      value: { get_attr: [b.resources[0].name, 'floating_ip_address'] },
    });
  }
  return out;
}

function uploads(model: RenderModel, imageParameters: Map<string, string>): HeatUpload[] {
  return model.resources.flatMap((r) => {
    const parameter = imageParameters.get(r.symbol);
    if (!r.data || !parameter) return [];
    return [
      {
        source: r,
        parameter,
        file: r.data.file,
        imageName: r.data.imageName,
        diskFormat: r.data.diskFormat,
        containerFormat: r.data.containerFormat,
        minDisk: r.data.minDisk,
        minRam: r.data.minRam,
        properties: r.data.properties,
      },
    ];
  });
}

/** The Heat stack of a render model. */
export function buildHeatTemplate(model: RenderModel): HeatTemplate {
  const imageParameters = new Map<string, string>();
  const params = parameters(model, new Names(model.inputs.map((i) => i.symbol)), imageParameters);
  const ctx: HeatContext = {
    model,
    // Every model symbol is taken first, so what a block adds never takes another resource's name.
    names: new Names(model.resources.map((r) => r.symbol)),
    expansions: new Map(),
    imageParameters,
    groups: new GroupGraph(model),
    finish: [],
    limits: [],
  };
  const blocks: HeatBlock[] = [];
  for (const r of model.resources) {
    const made = HEAT_KINDS[r.kind](ctx, r);
    ctx.expansions.set(
      r.symbol,
      made.resources.map((x) => x.name),
    );
    // What the model says comes first, beyond what the block's properties already name.
    const primary = made.resources[0];
    if (primary) {
      const named = new Set<string>();
      for (const x of made.resources) referenced(x.properties, named);
      const needs = r.dependsOn.flatMap((d) => ctx.expansions.get(d) ?? []).filter((n) => !named.has(n));
      const merged = [...new Set([...(primary.dependsOn ?? []), ...needs])];
      if (merged.length) primary.dependsOn = merged;
    }
    blocks.push({ source: r, ...made });
  }
  return {
    parameters: params,
    blocks,
    outputs: outputs(blocks),
    uploads: uploads(model, imageParameters),
    finish: ctx.finish,
    limits: ctx.limits,
  };
}
