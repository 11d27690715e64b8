/**
 * What the Heat renderer's parts share: the shape of a template before it is written out, the
 * context its blocks are made in, and references between resources.
 */
import type { KindName } from '../../kinds/model.js';
import { refTo, zoneInput, type InputRole, type RenderModel, type RenderResource } from '../model.js';
import type { GroupGraph } from './group-graph.js';

export type Intrinsic = { get_resource: string } | { get_param: string };
/** How a port or rule names a security group: the merged default group by its name. */
export type GroupRef = Intrinsic | 'default';

export interface HeatParameter {
  name: string;
  description: string;
  /** A Heat custom constraint that checks the value exists before anything is created. */
  constraint?: string;
  value: string;
  /** Where the value comes from, for the environment file's comment. */
  origin: string;
}

export interface HeatResource {
  name: string;
  type: string;
  /** Comment lines above the resource, beyond the block's own. */
  comment?: string[];
  properties: Record<string, unknown>;
  dependsOn?: string[];
}

/** What one bundle resource becomes: zero or more Heat resources, under one comment. */
export interface HeatBlock {
  source: RenderResource;
  /** Comment lines: the first names the source resource (kind, name, source id). */
  comment: string[];
  resources: HeatResource[];
}

/** One file the upload step puts into Glance before the stack is created. */
export interface HeatUpload {
  source: RenderResource;
  parameter: string;
  file: string;
  imageName: string;
  diskFormat: string;
  containerFormat: string;
  minDisk: number;
  minRam: number;
  properties: Record<string, string>;
}

/** What Heat cannot do and `finish.sh` does after the stack is complete. */
export interface FinishStep {
  action: 'volume-not-bootable' | 'server-stop';
  resource: string;
  comment: string;
}

export interface HeatOutput {
  name: string;
  description: string;
  value: unknown;
}

export interface HeatTemplate {
  parameters: HeatParameter[];
  blocks: HeatBlock[];
  outputs: HeatOutput[];
  uploads: HeatUpload[];
  finish: FinishStep[];
  /** What this bundle needs that the template approximates or leaves out, one sentence each. */
  limits: string[];
}

/** The template version: Heat Rocky (2018) and later read it, and it has every function used here. */
export const HEAT_TEMPLATE_VERSION = '2018-08-31';

export const CONSTRAINT: Record<InputRole, string | undefined> = {
  flavor: 'nova.flavor',
  network: 'neutron.network',
  volume_type: 'cinder.vtype',
  image: 'glance.image',
  compute_zone: undefined,
  volume_zone: undefined,
};

/** Hands out unique names: the second `x` becomes `x_2`. */
export class Names {
  private readonly used = new Set<string>();
  constructor(taken: Iterable<string> = []) {
    for (const t of taken) this.used.add(t);
  }
  take(base: string): string {
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const nonEmpty = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;
export const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const ownTags = (v: unknown) => list<string>(v).filter((t) => !t.startsWith('downpour:'));

/** Drops undefined values, so a property the source did not have is not written at all. */
export function props(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** Neutron attributes Heat's resource types do not name, passed through `value_specs`. */
export function valueSpecs(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const out = props(o);
  return Object.keys(out).length ? out : undefined;
}

/** Shared state while the blocks are made, in model order. */
export interface HeatContext {
  model: RenderModel;
  names: Names;
  /** Model symbol -> the Heat resources that stand for it (empty for an uploaded image). */
  expansions: Map<string, string[]>;
  /** Image or volume symbol -> the parameter naming the image upload-data.sh uploads for it. */
  imageParameters: Map<string, string>;
  groups: GroupGraph;
  finish: FinishStep[];
  limits: string[];
}

/** A reference to another bundle resource: `get_resource`, or `get_param` for an input or upload. */
export function ref(ctx: HeatContext, kind: KindName, sourceId: unknown): Intrinsic | undefined {
  if (typeof sourceId !== 'string') return undefined;
  const found = refTo(ctx.model, kind, sourceId);
  if (!found) return undefined;
  if (found.type === 'input') return { get_param: found.input.symbol };
  const uploaded = kind === 'image.image' ? ctx.imageParameters.get(found.resource.symbol) : undefined;
  if (uploaded) return { get_param: uploaded };
  return { get_resource: found.resource.symbol };
}

export function zoneParam(ctx: HeatContext, r: RenderResource): Intrinsic | undefined {
  const zone = zoneInput(ctx.model, r);
  return zone ? { get_param: zone.symbol } : undefined;
}

/** What one kind of bundle resource becomes. */
export type BlockMaker = (ctx: HeatContext, r: RenderResource) => Omit<HeatBlock, 'source'>;

/** One Heat resource under the bundle resource's comment, with the resource's own symbol. */
export const single = (
  r: RenderResource,
  type: string,
  properties: Record<string, unknown>,
  extra: string[] = [],
) => ({
  comment: [r.comment, ...extra],
  resources: [{ name: r.symbol, type, properties: props(properties) }],
});
