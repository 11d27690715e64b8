/**
 * The names a playbook needs: Ansible variables (inputs, registered results) in one namespace,
 * and the names objects get at the destination. The openstack.cloud modules find an object by
 * its name, so a name must be unique among the objects of its kind the playbook creates.
 */
import type { KindName } from '../../kinds/model.js';
import type { RenderModel } from '../model.js';

/** Variables the playbook itself defines or Ansible provides. */
export const CLOUD_VAR = 'cloud';
export const BUNDLE_VAR = 'bundle';
const RESERVED = [CLOUD_VAR, BUNDLE_VAR, 'item', 'omit', 'playbook_dir', 'inventory_hostname'];

/** Hands out variable names: a second `network_web` becomes `network_web_2`. */
export class VarNames {
  private readonly used = new Set<string>(RESERVED);
  take(base: string): string {
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

export interface DestinationName {
  name: string;
  /** Why it differs from the source's name, when it does. */
  renamed?: string;
}

/**
 * The destination name of every named resource: the source's, except that an empty name gets
 * one made from the kind and source id, and a name already taken by an earlier resource of the
 * same kind gets the source id's first eight characters appended.
 */
export function destinationNames(
  model: RenderModel,
  wordOf: (kind: KindName) => string | undefined,
): Map<string, DestinationName> {
  const out = new Map<string, DestinationName>();
  const taken = new Map<KindName, Set<string>>();
  for (const r of model.resources) {
    const word = wordOf(r.kind);
    if (!word) continue;
    const inKind = taken.get(r.kind) ?? new Set<string>();
    taken.set(r.kind, inKind);
    const short = r.sourceId.replace(/^server-disk:/, '').slice(0, 8);
    const source = r.name ?? '';
    let entry: DestinationName;
    if (source === '') {
      entry = {
        name: `${word}-${short}`,
        renamed: `unnamed at the source; the ${moduleOf(word)} module finds objects by name`,
      };
    } else if (inKind.has(source)) {
      entry = {
        name: `${source}-${short}`,
        renamed: `renamed from ${source}, which an earlier ${word} in this bundle has; the ${moduleOf(word)} module finds objects by name`,
      };
    } else {
      entry = { name: source };
    }
    inKind.add(entry.name);
    out.set(r.key, entry);
  }
  return out;
}

function moduleOf(word: string): string {
  return word.replace('-', '_');
}
