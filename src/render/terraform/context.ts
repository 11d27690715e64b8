/**
 * What the Terraform renderer keeps while it walks the render model: the address each
 * resource got, the lookups (data sources) the configuration needs, and which addresses the
 * resource being written refers to, so `depends_on` names only what no reference implies.
 */
import type { KindName } from '../../kinds/model.js';
import { expr, type HclExpr, type HclItem } from '../hcl.js';
import type { Body } from './body.js';
import { refTo, type RenderInput, type RenderModel, type RenderResource } from '../model.js';

/** One `resource` or `data` block. */
export interface TfBlock {
  data?: boolean;
  type: string;
  name: string;
  /** Lines of the `#` comment above the block. */
  comments: string[];
  body: HclItem[];
}

/** What one model resource becomes. */
/** One kind's block in the configuration: part of the table in terraform.ts (`TERRAFORM_KINDS`). */
export interface TerraformKind {
  /** The blocks of one resource; none for a kind that must exist at the destination (a variable). */
  emit?: (ctx: TfContext, r: RenderResource) => TfEmit;
  /** Where the README's one-line summary counts the kind (lower first); uncounted without one. */
  summary?: number;
}

export interface TfEmit {
  /** In the order they are written. */
  blocks: TfBlock[];
  /** The block that stands for the source resource: its id goes into the id map. */
  main: TfBlock | undefined;
  /** What a resource depending on this one waits for; the main block when not given. */
  waitFor?: TfBlock[];
  /** Whether the main block's id belongs in the old -> new id map. */
  mapped: boolean;
  /** Comment lines about what could not be written as it was. */
  notes?: string[];
}

export const addressOf = (b: Pick<TfBlock, 'data' | 'type' | 'name'>): string =>
  `${b.data ? 'data.' : ''}${b.type}.${b.name}`;

export const TF_TYPE = {
  network: 'openstack_networking_network_v2',
  subnet: 'openstack_networking_subnet_v2',
  subnetRoute: 'openstack_networking_subnet_route_v2',
  router: 'openstack_networking_router_v2',
  routerInterface: 'openstack_networking_router_interface_v2',
  routerRoute: 'openstack_networking_router_route_v2',
  secgroup: 'openstack_networking_secgroup_v2',
  secgroupRule: 'openstack_networking_secgroup_rule_v2',
  port: 'openstack_networking_port_v2',
  floatingIp: 'openstack_networking_floatingip_v2',
  floatingIpAssociate: 'openstack_networking_floatingip_associate_v2',
  keypair: 'openstack_compute_keypair_v2',
  serverGroup: 'openstack_compute_servergroup_v2',
  instance: 'openstack_compute_instance_v2',
  volumeAttach: 'openstack_compute_volume_attach_v2',
  image: 'openstack_images_image_v2',
  volume: 'openstack_blockstorage_volume_v3',
  authScope: 'openstack_identity_auth_scope_v3',
  container: 'openstack_objectstorage_container_v1',
} as const;

export class TfContext {
  /** Addresses by model symbol: the main block, and what dependents wait for. */
  private readonly main = new Map<string, TfBlock>();
  private readonly waits = new Map<string, string[]>();
  /** Names taken, per block type (resource and data blocks apart). */
  private readonly taken = new Map<string, Set<string>>();
  /** Data sources for inputs and the project scope, by address. */
  readonly lookups = new Map<string, TfBlock>();
  /** Addresses the resource being written refers to. */
  private refs = new Set<string>();

  constructor(readonly model: RenderModel) {}

  /** A block name unique among blocks of its type: `base`, else `base_2`, ... */
  name(type: string, base: string, data = false): string {
    const key = `${data ? 'data.' : ''}${type}`;
    let used = this.taken.get(key);
    if (!used) this.taken.set(key, (used = new Set()));
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  }

  /** Starts a resource: references are counted from here. */
  begin(): void {
    this.refs = new Set();
  }

  /** Addresses referred to since `begin`. */
  referenced(): ReadonlySet<string> {
    return this.refs;
  }

  /** `address.attribute`, counted as a reference. */
  ref(block: Pick<TfBlock, 'data' | 'type' | 'name'>, attribute = 'id'): HclExpr {
    const address = addressOf(block);
    this.refs.add(address);
    return expr(`${address}.${attribute}`);
  }

  record(resource: RenderResource, emit: TfEmit): void {
    if (emit.main) this.main.set(resource.symbol, emit.main);
    this.waits.set(resource.symbol, (emit.waitFor ?? (emit.main ? [emit.main] : [])).map(addressOf));
  }

  /** The addresses a resource that depends on model symbol `symbol` waits for. */
  waitFor(symbol: string): string[] {
    return this.waits.get(symbol) ?? [];
  }

  /** The main block written for a model resource. */
  blockOf(resource: RenderResource): TfBlock | undefined {
    return this.main.get(resource.symbol);
  }

  /**
   * A reference to what a document names by source id: the block written for it, or a
   * variable/lookup for what must exist. Undefined when the bundle does not hold it.
   */
  refOf(kind: KindName, sourceId: string, attribute = 'id'): HclExpr | undefined {
    const r = refTo(this.model, kind, sourceId);
    if (!r) return undefined;
    if (r.type === 'input') return this.inputRef(r.input);
    const block = this.main.get(r.resource.symbol);
    return block ? this.ref(block, attribute) : undefined;
  }

  /** The model resource a document names, if the configuration creates it. */
  resourceOf(kind: KindName, sourceId: string): RenderResource | undefined {
    const r = refTo(this.model, kind, sourceId);
    return r?.type === 'resource' ? r.resource : undefined;
  }

  /** The input standing for what a document names, if it must exist at the destination. */
  inputOf(kind: KindName, sourceId: string): RenderInput | undefined {
    const r = refTo(this.model, kind, sourceId);
    return r?.type === 'input' ? r.input : undefined;
  }

  /** `var.x` for a name; for a network, the id a lookup by that name finds. */
  inputRef(input: RenderInput): HclExpr {
    if (input.role !== 'network') return expr(`var.${input.symbol}`);
    const lookup: TfBlock = { data: true, type: TF_TYPE.network, name: input.symbol, comments: [], body: [] };
    const address = addressOf(lookup);
    if (!this.lookups.has(address)) {
      lookup.comments = [`The destination's network for ${input.source} at the source, found by name.`];
      lookup.body = [{ attr: 'name', value: expr(`var.${input.symbol}`) }];
      this.lookups.set(address, lookup);
    }
    return this.ref(lookup);
  }

  /** The id of the project Terraform works in. */
  projectId(): HclExpr {
    return this.scope('project_id');
  }

  /** An attribute of the project and user the provider is logged in as. */
  scope(attribute: 'project_id' | 'project_name' | 'user_id'): HclExpr {
    const scope: TfBlock = { data: true, type: TF_TYPE.authScope, name: 'current', comments: [], body: [] };
    const address = addressOf(scope);
    if (!this.lookups.has(address)) {
      scope.comments = ['The project the provider is logged in to.'];
      scope.body = [{ attr: 'name', value: 'current' }];
      this.lookups.set(address, scope);
    }
    return this.ref(scope, attribute);
  }
}

/** A `resource` block named after `base`, unique among its type. */
export const resource = (
  ctx: TfContext,
  type: string,
  base: string,
  body: Body,
  comments: string[] = [],
): TfBlock => ({ type, name: ctx.name(type, base), comments, body: body.items });

/** What a document must refer to, or a clear error when the bundle does not hold it. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`terraform: ${what} is not in the bundle`);
  return value;
}
