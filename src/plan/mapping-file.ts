/**
 * `map.yaml`: the user's word on how source things map to destination things. It overrides
 * every rule the planner would otherwise apply (same name, smallest flavor that fits, the
 * only external network, the default volume type, ...). Every section is optional, and every
 * entry is `source: destination`, both strings:
 *
 * ```yaml
 * flavors:            # source flavor name (or id) -> destination flavor name or id
 *   m1.small: general.small
 * networks:           # source external/shared network name or id -> destination network name or id
 *   public: ext-net
 * volumeTypes:        # source volume type name -> destination volume type name or id
 *   lvmdriver-1: standard
 * availabilityZones:  # source zone -> destination zone; "" lets the destination cloud choose
 *   nova: az1
 *   rack-2: ""
 * images:             # source public image name or id -> destination image name or id
 *   cirros-0.6.2: cirros
 * keypairs:           # source keypair name -> name to use where a different key already has the name
 *   deploy: deploy-migrated
 * storagePolicies:    # source Swift storage policy -> destination storage policy
 *   gold: standard
 * containers:         # container name -> merge: upload into the destination's container of that name
 *   assets: merge
 * ```
 *
 * Unknown sections, and values that are not strings, are refused (a `UsageError`, exit code 2)
 * naming the file and the key: a typo must not silently fall back to the automatic rules.
 * The user-facing description is `docs/mapping.md`.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../core/errors.js';
import type { MappingFile } from './types.js';

export const MAPPING_SECTIONS = [
  'flavors',
  'networks',
  'volumeTypes',
  'availabilityZones',
  'images',
  'keypairs',
  'storagePolicies',
  'containers',
] as const satisfies readonly (keyof MappingFile)[];
type Section = (typeof MAPPING_SECTIONS)[number];

const HINT = 'See docs/mapping.md: every section maps source names to destination names, both strings.';

/** "volume_types", "VolumeTypes", "volume-types" all mean volumeTypes: used only to suggest the right spelling. */
const loose = (key: string): string => key.toLowerCase().replace(/[-_\s]/g, '');

/** Parse and validate the text of a mapping file; `file` names it in errors. An empty file maps nothing. */
export function parseMappingFile(text: string, file = 'map.yaml'): MappingFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const first = ((err as Error).message.split('\n')[0] ?? '').slice(0, 200);
    throw new UsageError(`${file} is not valid YAML: ${first}`, { hint: HINT });
  }
  if (doc === null || doc === undefined) return {};
  const bad = (what: string) => new UsageError(`${file}: ${what}`, { hint: HINT });
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw bad('expected a mapping of sections (flavors, networks, ...)');

  const out: MappingFile = {};
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!(MAPPING_SECTIONS as readonly string[]).includes(key)) {
      const suggestion = MAPPING_SECTIONS.find((s) => loose(s) === loose(key));
      throw bad(
        `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; known keys: ${MAPPING_SECTIONS.join(', ')}`,
      );
    }
    // An empty section (`flavors:` with nothing under it) is allowed and maps nothing.
    if (value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw bad(`"${key}" must be a mapping of source name to destination name`);
    }
    const entries: Record<string, string> = {};
    for (const [from, to] of Object.entries(value as Record<string, unknown>)) {
      if (typeof to !== 'string') {
        throw bad(
          `"${key}.${from}" must be a string, not ${to === null ? 'null' : Array.isArray(to) ? 'a list' : typeof to}` +
            (key === 'availabilityZones'
              ? ' (write "" to let the destination choose)'
              : ' (quote it if it looks like a number)'),
        );
      }
      if (!from.trim()) throw bad(`"${key}" has an empty source name`);
      if (!to.trim() && key !== 'availabilityZones') throw bad(`"${key}.${from}" is empty`);
      entries[from] = to.trim();
    }
    out[key as Section] = entries;
  }
  return out;
}

export function readMappingFile(path: string): MappingFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read mapping file ${path}: ${(err as Error).message}`, { hint: HINT });
  }
  return parseMappingFile(text, path);
}

/**
 * The mapping for the first of `names` (source name, then source id) that the section has.
 * Own keys only: a source called "constructor" must not find Object.prototype.
 */
export function lookupMapping(
  section: Record<string, string> | undefined,
  ...names: (string | null | undefined)[]
): { from: string; to: string } | undefined {
  if (!section) return undefined;
  for (const name of names) {
    if (typeof name === 'string' && Object.hasOwn(section, name))
      return { from: name, to: section[name] ?? '' };
  }
  return undefined;
}
