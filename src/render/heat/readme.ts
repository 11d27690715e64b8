/** The README of a rendered Heat folder: how to apply it, and what Heat cannot express for this bundle. */
import type { RenderModel } from '../model.js';
import { HEAT_TEMPLATE_VERSION, type HeatTemplate } from './common.js';
import { UPLOAD_TAG } from './scripts.js';

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function readmeText(model: RenderModel, t: HeatTemplate): string {
  const hasRoutes = t.blocks.some((b) => b.resources.some((r) => r.type === 'OS::Neutron::ExtraRouteSet'));
  const finish = t.finish.length > 0;
  const uploads = t.uploads.length > 0;
  const lines: string[] = [
    `# Heat template of Downpour bundle ${model.bundleId}`,
    '',
    `Rendered by \`downpour render --format heat\` from project ${code(model.source.project.name)} at ${model.source.authUrl}, exported ${model.exportedAt}: ${model.resources.length} resources, in dependency order.`,
    '',
    '| file | what it is |',
    '| --- | --- |',
    '| `template.yaml` | the HOT template: one block per source resource, each under a comment naming it (kind, name, source id) |',
    '| `environment.yaml` | a value for every parameter: flavors, networks, volume types, zones, images |',
    ...(uploads
      ? [
          '| `upload-data.sh` | rebuilds the image and volume data from the bundle and uploads it into Glance |',
          "| `data/assemble.sh` | rebuilds each data file from the bundle's chunks, checking its SHA-256 (`upload-data.sh` runs it) |",
        ]
      : []),
    ...(finish ? ['| `finish.sh` | what Heat cannot do, after the stack is complete (below) |'] : []),
    '',
    '## Apply',
    '',
    "Use the destination project's credentials, as the `openstack` CLI reads them (`OS_CLOUD` or `OS_*`).",
    '',
  ];
  let step = 0;
  const next = () => `${++step}.`;
  if (uploads)
    lines.push(
      `${next()} Upload the data. Heat cannot carry bytes, so the bundle's images, and the data of its volumes,`,
      '   go into Glance first, under the names `environment.yaml` gives the template:',
      '',
      '   ```sh',
      '   sh upload-data.sh BUNDLE        # the bundle directory, or its .tar',
      '   ```',
      '',
      '   It keeps an image of the same name that already holds the same bytes, so it can run again',
      '   after a failure. It refuses to go on when another image has the same name: the template',
      '   names images by name, and Heat would not know which one is meant.',
    );
  lines.push(
    `${next()} Read \`environment.yaml\`, and change what differs at the destination (a flavor or network`,
    '   name, a zone). Values from the mapping file (`--map`) are there already.',
    `${next()} Create the stack:`,
    '',
    '   ```sh',
    '   openstack stack create -t template.yaml -e environment.yaml --wait NAME',
    '   ```',
    '',
  );
  if (finish) {
    lines.push(
      `${next()} Finish what Heat cannot say:`,
      '',
      '   ```sh',
      '   sh finish.sh NAME',
      '   ```',
      '',
      ...t.finish.map(
        (s) =>
          `   - ${s.comment}: ${s.action === 'volume-not-bootable' ? 'marked not bootable' : 'stopped'}.`,
      ),
      '',
    );
  }
  lines.push(
    `${next()} Read the new ids and addresses: \`openstack stack output show NAME --all\`. Output`,
    '   `id_map` maps every source id to the new one; each floating IP has an output with its new address.',
    '',
    'Deleting the stack (`openstack stack delete NAME`) removes everything it created.',
    ...(uploads
      ? [
          'The images `upload-data.sh` uploaded stay: each carries the tag',
          `\`${UPLOAD_TAG}=${model.bundleId}\`. The \`*-volume-data\` ones are needed only while Heat`,
          'creates the volumes from them; delete them once the stack is complete, unless a stack update',
          'may create those volumes again.',
        ]
      : []),
    '',
    '## Parameters',
    '',
    '| parameter | value in `environment.yaml` | from |',
    '| --- | --- | --- |',
    ...t.parameters.map((p) => `| \`${p.name}\` | ${code(p.value)} | ${p.origin} |`),
    '',
    '## What Heat cannot express here',
    '',
    ...(uploads
      ? [
          "- **Data.** A template cannot carry an image's or a volume's bytes: `upload-data.sh` uploads them,",
          "  and each volume with data is created from its image, as Downpour's own import does.",
        ]
      : ['- **Data.** A template cannot carry bytes; this bundle holds no image or volume data.']),
    "- **Provenance.** Downpour's import tags what it creates (`downpour:src=…`, `downpour:bundle=…`) so",
    '  a rerun or `downpour destroy` finds it. A stack needs none: Heat keeps its own record, and',
    '  `openstack stack delete` removes what it made. Rerunning means updating or recreating the stack.',
    '- **Floating IP addresses** change: choosing one is admin-only. The outputs give the new ones.',
    "- **The router's gateway** is asked for on the external network only; its address and SNAT are the",
    "  operator's (admin-only).",
    '- **Descriptions and MTU** of networks, subnets, routers, ports and floating IPs have no property',
    '  in Heat: they go through `value_specs`, straight to Neutron.',
    '- **Security group rules.** `OS::Neutron::SecurityGroupRule` cannot say "any protocol": such rules',
    "  are part of their group's resource, where Heat (Zed) keeps no rule description. A group's",
    '  egress rules listed there replace the egress rules Neutron gives every new group.',
    '- **MAC addresses** are kept on ports. Where the destination refuses to let a project choose one,',
    "  the port fails: remove that port's `mac_address` line (Downpour's import retries without it by itself).",
    `- **Template version** ${HEAT_TEMPLATE_VERSION} (Heat Rocky and later).${hasRoutes ? ' Static routes use `OS::Neutron::ExtraRouteSet`, which needs Heat Wallaby or later and the Neutron `extraroute-atomic` extension.' : ''}`,
  );
  if (finish)
    lines.push(
      '- **Volume bootable flag and stopped servers**: Heat has no property for either; `finish.sh` does it.',
    );
  for (const limit of t.limits) lines.push(`- ${limit}`);
  if (model.notes.length) {
    lines.push('', '## Notes from the export', '');
    for (const n of model.notes) lines.push(`- ${n.severity}: ${n.message}`);
  }
  lines.push(
    '',
    '## How this was checked',
    '',
    "Downpour's tests render a bundle of a sample workload like this, create the stack with Heat 19",
    '(OpenStack Zed) and compare what the `openstack` CLI then sees with what `downpour import` of the',
    'same bundle creates.',
  );
  return `${lines.join('\n')}\n`;
}
