/**
 * The files beside the playbook: vars.yml (every input, with its default), requirements.yml
 * (the collection release the playbook needs) and the README.
 */
import type { KindName } from '../../kinds/model.js';
import { kindOf } from '../../kinds/registry.js';
import type { RenderModel } from '../model.js';
import type { PlaybookContext } from './context.js';
import { BUNDLE_VAR, CLOUD_VAR } from './names.js';
import { IDS_FILE, VARS_FILE, type RenderedPlaybook } from './playbook.js';
import { proofSection } from './proof.js';
import { commentedMapYaml, plainYaml, type Value } from './yaml.js';

export function varsYaml(model: RenderModel, ctx: PlaybookContext): string {
  const entries: { key: string; value: Value; comment: string[] }[] = [
    {
      key: CLOUD_VAR,
      value: '',
      comment: ['The destination: an entry of clouds.yaml (-e cloud=NAME).'],
    },
  ];
  if (model.resources.some((r) => r.data)) {
    entries.push({
      key: BUNDLE_VAR,
      value: '',
      comment: [
        'The bundle (its directory or .tar) that data/assemble.sh rebuilds the image and volume',
        'files from (-e bundle=PATH). Not read again once the files are rebuilt.',
      ],
    });
  }
  for (const input of model.inputs) {
    entries.push({
      key: ctx.inputVar(input.symbol),
      value: input.default,
      comment: [
        `${input.description}.`,
        input.mapped
          ? `From map.yaml (the source's was ${input.source}).`
          : "The source's name; map.yaml did not name another.",
      ],
    });
  }
  return commentedMapYaml(
    [
      `Inputs of the playbook for Downpour bundle ${model.bundleId}. Change them here or with`,
      '-e NAME=VALUE, which takes precedence.',
    ],
    entries,
  );
}

export function requirementsYaml(ctx: PlaybookContext): string {
  const { version, because } = ctx.minimumVersion();
  return plainYaml(
    [
      `The collection this playbook is written for: openstack.cloud 2.x, from ${version} on`,
      because.length ? `(for ${because.join(', ')}).` : '(its first 2.x release).',
      'It needs openstacksdk 1.0 or later beside Ansible.',
      '',
      '  ansible-galaxy collection install -r requirements.yml',
    ],
    { collections: [{ name: 'openstack.cloud', version: `>=${version},<3.0.0` }] },
  );
}

export function readme(model: RenderModel, playbook: RenderedPlaybook): string {
  const { ctx, tasks } = playbook;
  const { version, because } = ctx.minimumVersion();
  const hasData = model.resources.some((r) => r.data);
  const counts = new Map<KindName, number>();
  for (const r of model.resources)
    if (ctx.kinds[r.kind].tasks) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  // In the order resources are rendered in, each kind's tag and what its noun calls several.
  const tagRows = [...counts]
    .sort(([a], [b]) => kindOf(a).renderRank - kindOf(b).renderRank || (a < b ? -1 : a > b ? 1 : 0))
    .map(([kind, n]) => `| \`${ctx.kinds[kind].tag}\` | ${kindOf(kind).noun[1]} | ${n} |`);
  const modules = [...new Set(tasks.map((t) => t.module))].sort();
  const lines: string[] = [
    `# Ansible playbook for Downpour bundle ${model.bundleId}`,
    '',
    `Rendered by \`downpour render --format ansible\` from the bundle exported from cloud \`${model.source.cloud}\``,
    `(project \`${model.source.project.name}\`) at ${model.exportedAt}. It recreates the bundle's`,
    `${model.resources.length} resources with the \`openstack.cloud\` collection, in dependency order, each task`,
    'commented with the source resource it came from.',
    '',
    '| file | what it is |',
    '| --- | --- |',
    '| `playbook.yml` | the play: runs on localhost and talks to the cloud API |',
    `| \`${VARS_FILE}\` | every input with its default: the destination cloud${hasData ? ', the bundle' : ''}, flavors, networks, volume types, images, zones |`,
    '| `requirements.yml` | the collection release it needs |',
    ...(hasData
      ? ['| `data/assemble.sh` | rebuilds image and volume files from the bundle, checking their SHA-256 |']
      : []),
    '',
    '## Apply',
    '',
    '```sh',
    'ansible-galaxy collection install -r requirements.yml',
    "pip install 'openstacksdk>=1.0'      # what the 2.x collection drives",
    `ansible-playbook playbook.yml -e cloud=NAME${hasData ? ' -e bundle=PATH' : ''}`,
    '```',
    '',
    `\`NAME\` is an entry of your \`clouds.yaml\`${hasData ? '; `PATH` is the bundle, a directory or its `.tar`, read only to rebuild the data files under `data/` (a rerun finds them there)' : ''}.`,
    `Set the inputs in \`${VARS_FILE}\` or with \`-e\`. At the end the playbook writes \`${IDS_FILE}\`: the old -> new`,
    "id map (`idMap`) and the new floating IP addresses (`floatingIps`), as Downpour's import report has them.",
    '',
    `It needs \`openstack.cloud\` ${version} or later 2.x${because.length ? ` (for ${because.join(', ')})` : ''}. Tags select kinds:`,
    `\`--tags network,subnet\` runs those tasks only (the ${IDS_FILE} task always runs).`,
    '',
    '| tag | tasks for | in this bundle |',
    '| --- | --- | --- |',
    ...tagRows,
    ...(hasData ? ['| `data` | rebuilding the data files (also runs with `image` and `volume`) | |'] : []),
    '',
    '## Running it again',
    '',
    'The modules find what an earlier run made and change only what differs: networks, subnets,',
    'routers, ports, security groups, keypairs, server groups, images, volumes, servers and',
    'containers by name; security group rules by their content; floating IPs by the server and',
    'fixed address they are attached to; static routes and descriptions by the id of their object.',
    'A volume with data is looked up before its staging image is uploaded, so a rerun does not',
    'upload it again.',
    '',
    'Because objects are found by name, an object of the same name already in the project is taken',
    'as the one to keep (and updated), not created again. Two objects of one kind with the same name',
    'in the bundle, or without a name, are renamed in the playbook; each such task says so.',
    'Where a rerun cannot tell its own objects apart, the list below says so.',
    '',
    '## What it cannot express',
    '',
    ...GENERAL_LIMITS.map((l) => `- ${l}`),
    ...ctx.limitations.map((l) => `- ${l.resource ? `\`${l.resource}\`: ` : ''}${l.text}.`),
    ...model.notes.map((n) => `- From the export: ${n.message}.`),
    '',
    '## What was run, and what was not',
    '',
    ...proofSection(modules),
    '',
  ];
  return lines.join('\n');
}

const GENERAL_LIMITS = [
  "Downpour's provenance tags (`downpour:src=…`) are not set: the modules find objects by name instead. `downpour destroy` does not know what this playbook made; remove it with the same tasks and `state: absent`, in reverse order.",
  "Downpour's import checks quotas, formats and APIs before it creates anything, and verifies the result afterwards (servers ACTIVE, ports bound, volumes attached, data hashes). The playbook does neither: a failure stops it where it is, and a rerun continues.",
  'A run that dies during an image upload leaves a queued image of that name, which a rerun takes as done: delete it before running again. The same holds for a volume left in `error`.',
];
