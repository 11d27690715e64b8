/**
 * The render model: a bundle's graph and a mapping file, resolved into what every
 * infrastructure-as-code renderer (Heat, Ansible, Terraform) needs and nothing cloud-specific:
 * the resources to create in dependency order, each with a stable symbol; the inputs a user
 * sets at the destination (flavors, external networks, volume types, public images, zones);
 * and the data files to upload. Pure and deterministic: the same bundle and mapping give the
 * same model, so rendering twice gives the same bytes.
 */
import { blobRelPath, type DataManifest } from '../bundle/layout.js';
import { lookupMapping } from '../plan/mapping-file.js';
import type { MappingFile } from '../plan/types.js';
import type { ExportNote, GraphDocument, GraphNode, KindName } from '../kinds/model.js';
import { CINDER_IMAGE_KEYS } from '../kinds/image/export.js';
import { documentOf } from '../kinds/load.js';
import { kindOf, type KindDocument } from '../kinds/registry.js';

export type InputRole = 'flavor' | 'network' | 'volume_type' | 'image' | 'compute_zone' | 'volume_zone';

/** A value chosen at the destination: a Heat parameter, an Ansible variable, a Terraform variable. */
export interface RenderInput {
  /** Identifier, `[a-z][a-z0-9_]*`, unique among inputs. */
  symbol: string;
  role: InputRole;
  /** The destination value: from the mapping file when it names one, else the source's name. */
  default: string;
  /** The source value it stands for. */
  source: string;
  /** Whether the default came from the mapping file. */
  mapped: boolean;
  description: string;
}

/** One file of image or volume data, reassembled from the bundle's chunks. */
export interface RenderData {
  /** File name under the output's `data/` folder. */
  file: string;
  /** Name the uploaded Glance image gets. For a volume, a staging image its volume is created from. */
  imageName: string;
  diskFormat: string;
  containerFormat: string;
  size: number;
  /** SHA-256 of the whole file, hex. */
  sha256: string;
  /** Bundle-relative blob paths (`blobs/sha256/<hex>`), in order. */
  chunks: string[];
  /** Glance properties to set on the image (min_disk, min_ram, os_distro, ...), as strings. */
  properties: Record<string, string>;
  minDisk: number;
  minRam: number;
}

/** One resource to create at the destination. */
export interface RenderResource {
  key: string;
  kind: KindName;
  sourceId: string;
  /** The name at the destination (a mapped keypair name, else the source's). */
  name: string | undefined;
  /** Identifier, `[a-z][a-z0-9_]*`, unique among resources. */
  symbol: string;
  /** The portable resource document, as exported. */
  doc: Record<string, unknown>;
  /** Symbols of the resources this one needs first. */
  dependsOn: string[];
  /** For images and volumes that carry data. */
  data?: RenderData;
  /** One line for a comment above the rendered block: what it was in the source. */
  comment: string;
}

export interface RenderModel {
  bundleId: string;
  source: GraphDocument['source'];
  exportedAt: string;
  /** In dependency order: a resource comes after everything it depends on. */
  resources: RenderResource[];
  /** Sorted by symbol. */
  inputs: RenderInput[];
  /** What the bundle's export noted (user_data unreadable, floating addresses that change, ...). */
  notes: ExportNote[];
}

/** A reference from one resource to another, or to an input. */
export type RenderRef =
  { type: 'resource'; resource: RenderResource } | { type: 'input'; input: RenderInput };

export interface RenderModelInput {
  graph: GraphDocument;
  bundleId: string;
  /** Node key -> resource document. */
  documents: Map<string, Record<string, unknown>>;
  /** Node key -> data manifest, for nodes that carry data. */
  manifests: Map<string, DataManifest>;
  mapping: MappingFile;
}

/** `[a-z][a-z0-9_]*` from any text: what Heat, Ansible and Terraform all accept as a name. */
export function identifier(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s.length > 0 ? s.slice(0, 48).replace(/_+$/, '') : 'unnamed';
}

/** Hands out unique identifiers: the second `web` becomes `web_2`. */
class Symbols {
  private readonly used = new Set<string>();
  take(base: string): string {
    let symbol = base;
    for (let i = 2; this.used.has(symbol); i++) symbol = `${base}_${i}`;
    this.used.add(symbol);
    return symbol;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kahn's algorithm; among ready nodes, by the kind's render rank, then name, then key, so the order is stable. */
function dependencyOrder(nodes: GraphNode[]): GraphNode[] {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const pending = new Map(nodes.map((n) => [n.key, new Set(n.dependsOn.filter((d) => byKey.has(d)))]));
  const order: GraphNode[] = [];
  const rank = (n: GraphNode) => kindOf(n.kind).renderRank;
  const compare = (a: GraphNode, b: GraphNode) =>
    rank(a) - rank(b) || compareStrings(a.name ?? '', b.name ?? '') || compareStrings(a.key, b.key);
  while (pending.size > 0) {
    const ready = [...pending.entries()]
      .filter(([, deps]) => deps.size === 0)
      .map(([key]) => byKey.get(key) as GraphNode)
      .sort(compare);
    const next = ready[0];
    if (!next) {
      throw new Error(`the bundle's graph has a dependency cycle among ${[...pending.keys()].join(', ')}`);
    }
    order.push(next);
    pending.delete(next.key);
    for (const deps of pending.values()) deps.delete(next.key);
  }
  return order;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Glance properties worth carrying: the document's extra keys, minus what Glance sets or refuses. */
const IMAGE_RESERVED = new Set([
  'name',
  'disk_format',
  'container_format',
  'min_disk',
  'min_ram',
  'protected',
  'tags',
  'visibility',
  'id',
  'status',
  'owner',
  'checksum',
  'size',
  'virtual_size',
  'os_hash_algo',
  'os_hash_value',
  'direct_url',
  'locations',
  'file',
  'schema',
  'self',
  'created_at',
  'updated_at',
]);

function imageProperties(source: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source).sort(([a], [b]) => compareStrings(a, b))) {
    if (IMAGE_RESERVED.has(k) || CINDER_IMAGE_KEYS.has(k) || v === null || v === undefined) continue;
    if (k.startsWith('downpour')) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function dataOf(
  node: GraphNode,
  doc: Record<string, unknown>,
  manifest: DataManifest,
  symbol: string,
): RenderData {
  const info = node.dataInfo;
  if (!info) throw new Error(`${node.key} has a data manifest but no data info`);
  const isVolume = node.kind === 'block-storage.volume';
  const meta = isVolume ? (documentOf('block-storage.volume', node, doc).volume_image_metadata ?? {}) : doc;
  const name = str(doc['name']) ?? node.sourceId;
  const num = (v: unknown) =>
    typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : 0;
  return {
    file: `${symbol}.${identifier(info.disk_format)}`,
    imageName: isVolume ? `${name}-volume-data` : name,
    diskFormat: info.disk_format,
    containerFormat: info.container_format,
    size: info.size,
    sha256: info.sha256,
    chunks: manifest.chunks.map((c) => blobRelPath(c.digest)),
    properties: imageProperties(meta),
    minDisk: num(meta['min_disk']),
    minRam: num(meta['min_ram']),
  };
}

/** The render model of a bundle under a mapping. */
export function buildRenderModel(input: RenderModelInput): RenderModel {
  const { graph, documents, manifests, mapping } = input;
  const docOf = (key: string) => documents.get(key) ?? {};

  // Inputs: what must exist at the destination, and the zones the resources name.
  const inputs = new Map<string, RenderInput>();
  const inputSymbols = new Symbols();
  const addInput = (role: InputRole, source: string, mappedTo: string | undefined, description: string) => {
    const id = `${role}:${source}`;
    const existing = inputs.get(id);
    if (existing) return existing;
    const made: RenderInput = {
      symbol: inputSymbols.take(`${role}_${identifier(source)}`),
      role,
      default: mappedTo ?? source,
      source,
      mapped: mappedTo !== undefined,
      description,
    };
    inputs.set(id, made);
    return made;
  };
  const existingInput = new Map<string, RenderInput>();
  const existingNodes = graph.nodes
    .filter((n) => n.disposition === 'existing')
    .sort((a, b) => compareStrings(a.key, b.key));
  for (const node of existingNodes) {
    const name = node.name ?? node.sourceId;
    let made: RenderInput | undefined;
    switch (node.kind) {
      case 'compute.flavor':
        made = addInput(
          'flavor',
          name,
          lookupMapping(mapping.flavors, name, node.sourceId)?.to,
          `Flavor for what was ${name} at the source`,
        );
        break;
      case 'network.network':
        made = addInput(
          'network',
          name,
          lookupMapping(mapping.networks, name, node.sourceId)?.to,
          `Existing network standing for the source's ${node.identity?.['router:external'] === true ? 'external' : 'shared'} network ${name}`,
        );
        break;
      case 'block-storage.volume-type':
        made = addInput(
          'volume_type',
          name,
          lookupMapping(mapping.volumeTypes, name, node.sourceId)?.to,
          `Volume type for what was ${name} at the source`,
        );
        break;
      case 'image.image':
        made = addInput(
          'image',
          name,
          lookupMapping(mapping.images, name, node.sourceId)?.to,
          `Existing image standing for the source's public image ${name}`,
        );
        break;
      default:
        throw new Error(
          `${node.key} must exist at the destination, and no renderer knows how to map a ${node.kind}`,
        );
    }
    existingInput.set(node.key, made);
  }

  // Resources, in dependency order, with symbols given in that order.
  const symbols = new Symbols();
  const toCreate = graph.nodes.filter((n) => n.disposition === 'create');
  const byKey = new Map<string, RenderResource>();
  const resources: RenderResource[] = [];
  for (const node of dependencyOrder(toCreate)) {
    const doc = docOf(node.key);
    let name = node.name;
    if (node.kind === 'compute.keypair' && name !== undefined)
      name = lookupMapping(mapping.keypairs, name)?.to ?? name;
    const label =
      node.kind === 'network.floating-ip' ? `for ${str(doc['fixed_ip_address']) ?? node.sourceId}` : name;
    const symbol = symbols.take(
      `${kindOf(node.kind).symbol}_${identifier(label ?? node.sourceId.slice(0, 8))}`,
    );
    const manifest = manifests.get(node.key);
    const resource: RenderResource = {
      key: node.key,
      kind: node.kind,
      sourceId: node.sourceId,
      name,
      symbol,
      doc,
      dependsOn: node.dependsOn.flatMap((d) => {
        const r = byKey.get(d);
        return r ? [r.symbol] : [];
      }),
      comment: `${node.kind} ${node.name ?? ''}${node.name ? ' ' : ''}(source id ${node.sourceId})`,
      ...(manifest ? { data: dataOf(node, doc, manifest, symbol) } : {}),
    };
    byKey.set(node.key, resource);
    resources.push(resource);

    // Zones are inputs too, unless the mapping says to let the cloud choose ("").
    const zone = str(doc['availability_zone']);
    if (zone && (node.kind === 'compute.server' || node.kind === 'block-storage.volume')) {
      const mapped = lookupMapping(mapping.availabilityZones, zone)?.to;
      if (mapped !== '') {
        const role = node.kind === 'compute.server' ? 'compute_zone' : 'volume_zone';
        addInput(
          role,
          zone,
          mapped,
          `${role === 'compute_zone' ? 'Compute' : 'Volume'} availability zone for what was ${zone} at the source`,
        );
      }
    }
  }
  const model: RenderModel = {
    bundleId: input.bundleId,
    source: graph.source,
    exportedAt: graph.exportedAt,
    resources,
    inputs: [...inputs.values()].sort((a, b) => compareStrings(a.symbol, b.symbol)),
    notes: [...graph.notes],
  };
  MODEL_INDEX.set(model, { byKey, existingInput, inputs });
  return model;
}

interface ModelIndex {
  byKey: Map<string, RenderResource>;
  existingInput: Map<string, RenderInput>;
  inputs: Map<string, RenderInput>;
}
const MODEL_INDEX = new WeakMap<RenderModel, ModelIndex>();

function indexOf(model: RenderModel): ModelIndex {
  const index = MODEL_INDEX.get(model);
  if (!index) throw new Error('refTo: the model was not made by buildRenderModel');
  return index;
}

/**
 * What a reference in a document points at: a resource the template creates, or an input for
 * something that must exist. Undefined when the bundle does not hold it (a reference the
 * export could not follow, reported in its notes).
 */
/** A resource's document as its kind's type: checked against the kind's schema, like every bundle document. */
export function docOf<K extends KindName>(r: RenderResource, kind: K): KindDocument<K> {
  return documentOf(kind, r, r.doc);
}

export function refTo(model: RenderModel, kind: KindName, sourceId: string): RenderRef | undefined {
  const index = indexOf(model);
  const key = `${kind}:${sourceId}`;
  const resource = index.byKey.get(key);
  if (resource) return { type: 'resource', resource };
  const input = index.existingInput.get(key);
  if (input) return { type: 'input', input };
  return undefined;
}

/** The zone input for a server's or volume's source zone; undefined when the cloud chooses. */
export function zoneInput(model: RenderModel, resource: RenderResource): RenderInput | undefined {
  const zone = str(resource.doc['availability_zone']);
  if (!zone) return undefined;
  const role = resource.kind === 'compute.server' ? 'compute_zone' : 'volume_zone';
  return indexOf(model).inputs.get(`${role}:${zone}`);
}

/** A resource by its node key. */
export function resourceOf(model: RenderModel, key: string): RenderResource | undefined {
  return indexOf(model).byKey.get(key);
}
