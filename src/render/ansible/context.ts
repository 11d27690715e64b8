/**
 * What every task builder shares: the variable that holds each resource's registered result,
 * the expression of its new id, destination names, and a record of what the playbook needs
 * from the collection (its oldest usable release) and what it cannot express.
 */
import type { KindName } from '../../kinds/model.js';
import { docOf, refTo, zoneInput, type RenderModel, type RenderResource } from '../model.js';
import { CLOUD_VAR, VarNames, destinationNames, type DestinationName } from './names.js';
import { expr, type Jinja, type Task, type Value } from './yaml.js';

/** The oldest openstack.cloud release the playbook is written for. */
export const BASE_COLLECTION_VERSION = '2.0.0';

/**
 * One kind's block in the playbook: the tasks that recreate a resource of the kind, and how the
 * playbook tags them, names them and finds the new object's id. Each file of tasks keeps its
 * kinds' entries beside their tasks; the playbook's table (`ANSIBLE_KINDS` in playbook.ts) joins
 * them, keyed by kind name, and hands it to the context.
 */
export interface AnsibleKind {
  /** Tag on the kind's tasks: `ansible-playbook --tags network,subnet` runs those tasks only. */
  tag: string;
  /** The tasks for one resource; none for a kind that must exist at the destination. */
  tasks?: (ctx: PlaybookContext, r: RenderResource) => Task[];
  /**
   * Where the module's result keeps the new object's id (the RETURN keys of the 2.x modules).
   * A kind without one registers no result and has no new id.
   */
  idPath?: string | ((model: RenderModel, r: RenderResource) => string);
  /**
   * For a kind whose module finds objects by name: the kind's word in the names it gives and the
   * notes it writes (`port-1d559053`, "the port module finds objects by name").
   */
  named?: string;
}

/**
 * Also on every task of the generic openstack.cloud.resource module (attributes a kind's module
 * lacks): `--skip-tags resource` leaves them out where that module is missing (1.x).
 */
export const RESOURCE_TAG = 'resource';

export interface Limitation {
  /** The resource's comment line, or undefined for the playbook as a whole. */
  resource?: string;
  text: string;
}

const semver = (v: string) => v.split('.').map(Number);
const newer = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

export class PlaybookContext {
  readonly vars = new VarNames();
  private readonly registers = new Map<string, string>();
  private readonly ids = new Map<string, string>();
  private readonly inputVars = new Map<string, string>();
  readonly names: Map<string, DestinationName>;
  /** Release -> the features that need it. */
  private readonly needs = new Map<string, string[]>();
  readonly limitations: Limitation[] = [];

  constructor(
    readonly model: RenderModel,
    readonly kinds: Readonly<Record<KindName, AnsibleKind>>,
  ) {
    for (const input of model.inputs) this.inputVars.set(input.symbol, this.vars.take(input.symbol));
    this.names = destinationNames(model, (kind) => kinds[kind].named);
    for (const r of model.resources) {
      const idPath = kinds[r.kind].idPath;
      if (!idPath) continue;
      const register = this.vars.take(r.symbol);
      this.registers.set(r.key, register);
      this.ids.set(r.key, `${register}.${typeof idPath === 'string' ? idPath : idPath(model, r)}`);
    }
  }

  /** Whether a resource's tasks register a result with its new id. */
  hasId(r: RenderResource): boolean {
    return this.ids.has(r.key);
  }

  /** The variable a resource's main task registers its result in. */
  register(r: RenderResource): string {
    const name = this.registers.get(r.key);
    if (!name) throw new Error(`${r.key} registers no result`);
    return name;
  }

  /** The expression of a resource's new id (a keypair's name), without braces. */
  idOf(r: RenderResource): string {
    const path = this.ids.get(r.key);
    if (!path) throw new Error(`${r.key} has no id`);
    return path;
  }

  inputVar(symbol: string): string {
    return this.inputVars.get(symbol) ?? symbol;
  }

  /** A reference as a value: the new id of a resource made earlier, or an input variable. */
  ref(kind: KindName, sourceId: string | null | undefined): Jinja | undefined {
    if (!sourceId) return undefined;
    const target = refTo(this.model, kind, sourceId);
    if (!target) return undefined;
    return target.type === 'input'
      ? expr(this.inputVar(target.input.symbol))
      : expr(this.idOf(target.resource));
  }

  resourceOf(kind: KindName, sourceId: string | null | undefined): RenderResource | undefined {
    if (!sourceId) return undefined;
    const target = refTo(this.model, kind, sourceId);
    return target?.type === 'resource' ? target.resource : undefined;
  }

  zone(r: RenderResource): Jinja | undefined {
    const input = zoneInput(this.model, r);
    return input ? expr(this.inputVar(input.symbol)) : undefined;
  }

  name(r: RenderResource): string {
    return this.names.get(r.key)?.name ?? r.name ?? r.sourceId;
  }

  /** A feature that exists from `version` of the collection on. */
  need(version: string, feature: string): void {
    const list = this.needs.get(version) ?? [];
    if (!list.includes(feature)) list.push(feature);
    this.needs.set(version, list);
  }

  /** The oldest release that has every feature used, and why. */
  minimumVersion(): { version: string; because: string[] } {
    let version = BASE_COLLECTION_VERSION;
    for (const v of this.needs.keys()) if (newer(v, version)) version = v;
    const because = [...this.needs.entries()]
      .filter(([v]) => v === version)
      .flatMap(([, features]) => features)
      .sort();
    return { version, because };
  }

  cannot(r: RenderResource | undefined, text: string): void {
    const resource = r?.comment;
    if (this.limitations.some((l) => l.resource === resource && l.text === text)) return;
    this.limitations.push({ ...(resource ? { resource } : {}), text });
  }

  /** A task with the cloud argument first, tagged by the resource's kind. */
  task(
    r: RenderResource,
    spec: Omit<Task, 'comment' | 'tags' | 'args'> & {
      args: Record<string, Value | undefined>;
      comment?: string[];
      tags?: string[];
    },
  ): Task {
    const args: Record<string, Value> = { cloud: expr(CLOUD_VAR) };
    for (const [k, v] of Object.entries(spec.args)) if (v !== undefined) args[k] = v;
    return {
      ...spec,
      comment: spec.comment ?? [],
      args,
      tags:
        spec.tags ??
        (spec.module === 'openstack.cloud.resource'
          ? [this.kinds[r.kind].tag, RESOURCE_TAG]
          : [this.kinds[r.kind].tag]),
    };
  }

  /** The comment above a resource's first task: where it came from, and how its name changed. */
  header(r: RenderResource): string[] {
    const renamed = this.names.get(r.key)?.renamed;
    return [r.comment, ...(renamed ? [`Named ${this.name(r)}: ${renamed}.`] : [])];
  }
}

/**
 * A floating IP on a port of a server the playbook creates is attached through that server
 * (the floating_ip module); one on any other port through the generic resource module.
 */
export function floatingIpServer(model: RenderModel, r: RenderResource): RenderResource | undefined {
  const port = typeof r.doc['port_id'] === 'string' ? r.doc['port_id'] : undefined;
  if (!port) return undefined;
  return model.resources.find(
    (s) => s.kind === 'compute.server' && (docOf(s, 'compute.server').ports ?? []).includes(port),
  );
}

/** Where a floating IP's result keeps its id: the floating_ip module's, or the resource module's. */
export function floatingIpIdPath(model: RenderModel, r: RenderResource): string {
  return floatingIpServer(model, r) ? 'floating_ip.id' : 'resource.id';
}

/** Strings worth sending: present and not empty. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
export const int = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const record = (v: unknown): Record<string, Value> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0
    ? (v as Record<string, Value>)
    : undefined;
