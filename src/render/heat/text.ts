/**
 * `template.yaml` and `environment.yaml` as text. Written for Heat's YAML reader (PyYAML, YAML
 * 1.1): a string that 1.1 would read as something else (a MAC address such as 12:34:56:10:20:30
 * is a base-60 number there, `yes`/`on` are booleans) is quoted. Intrinsic functions are written
 * inline, `{ get_resource: x }`, so a reference reads as one.
 */
import { Document, isScalar, visit } from 'yaml';
import type { RenderModel } from '../model.js';
import { HEAT_TEMPLATE_VERSION, type HeatParameter, type HeatTemplate } from './common.js';

const INTRINSICS = new Set(['get_resource', 'get_param', 'get_attr']);

/** YAML 1.1 text of a value, with no document markers, each line indented by `indent` spaces. */
export function yamlText(value: unknown, indent = 0): string {
  const doc = new Document(value, { version: '1.1' });
  visit(doc, {
    Map(_key, node) {
      const only = node.items.length === 1 ? node.items[0] : undefined;
      if (only && isScalar(only.key) && INTRINSICS.has(String(only.key.value))) node.flow = true;
    },
  });
  const pad = ' '.repeat(indent);
  return doc
    .toString({ lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

const commentLines = (lines: string[], indent: number) => lines.map((l) => `${' '.repeat(indent)}# ${l}`);

function sourceLine(model: RenderModel): string {
  const s = model.source;
  return `Downpour bundle ${model.bundleId}: project ${s.project.name} at ${s.authUrl}${s.region ? ` (${s.region})` : ''}, exported ${model.exportedAt}.`;
}

export function templateText(model: RenderModel, t: HeatTemplate): string {
  const out: string[] = [
    ...commentLines(
      [
        sourceLine(model),
        'Upload the data first (upload-data.sh), then create the stack:',
        '  openstack stack create -t template.yaml -e environment.yaml --wait NAME',
        'README.md says what each step does and what Heat cannot express here.',
      ],
      0,
    ),
    `heat_template_version: ${HEAT_TEMPLATE_VERSION}`,
    '',
    yamlText({
      description: `${model.resources.length} resources of Downpour bundle ${model.bundleId}, in dependency order`,
    }),
    '',
    'parameters:',
  ];
  for (const p of t.parameters) {
    out.push(
      yamlText(
        {
          [p.name]: {
            type: 'string',
            description: p.description,
            ...(p.constraint ? { constraints: [{ custom_constraint: p.constraint }] } : {}),
          },
        },
        2,
      ),
    );
  }
  out.push('', 'resources:');
  for (const block of t.blocks) {
    out.push(...commentLines(block.comment, 2));
    block.resources.forEach((r, i) => {
      if (i > 0 || r.comment) out.push(...commentLines(r.comment ?? [], 2));
      out.push(
        yamlText(
          {
            [r.name]: {
              type: r.type,
              ...(r.dependsOn?.length ? { depends_on: r.dependsOn } : {}),
              properties: r.properties,
            },
          },
          2,
        ),
      );
    });
    out.push('');
  }
  out.push('outputs:');
  for (const o of t.outputs)
    out.push(yamlText({ [o.name]: { description: o.description, value: o.value } }, 2));
  return `${out.join('\n')}\n`;
}

export function environmentText(model: RenderModel, parameters: HeatParameter[]): string {
  const out = [
    ...commentLines(
      [
        `Values for the parameters of template.yaml (Downpour bundle ${model.bundleId}).`,
        "Each is the mapping file's value where it named one, else the source's own name: change any",
        "of them to fit the destination. Images are named as upload-data.sh uploads them; an image's",
        'id works too, and is safer when several images share a name.',
      ],
      0,
    ),
    'parameters:',
  ];
  for (const p of parameters) {
    out.push(...commentLines([`${p.description} (${p.origin})`], 2));
    out.push(yamlText({ [p.name]: p.value }, 2));
  }
  return `${out.join('\n')}\n`;
}
