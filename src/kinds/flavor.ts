import { v, type DocumentOf } from './document.js';
import type { ServerFlavor } from '../openstack/compute/servers/index.js';

/**
 * Flavors are the operator's: never created, always mapped at the destination by name, else by
 * size. Since Nova 2.47 a server embeds its flavor (no id), so the flavor node is keyed by name
 * and described from the server: no extra request, and right even if the flavor was deleted since.
 */
export function flavorKey(flavor: ServerFlavor): string {
  return flavor.original_name ?? flavor.id ?? 'unknown';
}

export function flavorIdentity(flavor: ServerFlavor): Record<string, unknown> {
  return {
    name: flavor.original_name ?? flavor.id,
    vcpus: flavor.vcpus,
    ram: flavor.ram,
    disk: flavor.disk,
    ephemeral: flavor.ephemeral ?? 0,
    swap: flavor.swap ?? 0,
    extra_specs: flavor.extra_specs ?? {},
  };
}

/** A flavor's document names it; what maps it is its identity (name and sizes). */
export const flavorDocument = v.object({ name: v.string() });
export type FlavorDocument = DocumentOf<typeof flavorDocument>;
