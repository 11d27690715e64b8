/** README.md of a rendered Terraform configuration: how to apply it, and what it cannot say. */
import type { KindName } from '../../kinds/model.js';
import { ASSEMBLE_SCRIPT } from '../data-script.js';
import { kindOf } from '../../kinds/registry.js';
import { docOf, type RenderModel, type RenderResource } from '../model.js';
import { containerAcl } from '../object-store.js';

/** The provider release the tests check the configuration against. */
export const CHECKED_AGAINST = 'terraform-provider-openstack v3.4.0';

/**
 * How many of each kind the configuration creates, with the kind's noun: in the order of
 * `summaryRank` (kinds without one are not counted).
 */
function summary(model: RenderModel, summaryRank: (kind: KindName) => number | undefined): string {
  const counts = new Map<KindName, number>();
  for (const r of model.resources) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  return [...counts]
    .flatMap(([kind, n]) => {
      const rank = summaryRank(kind);
      return rank === undefined ? [] : [{ rank, n, noun: kindOf(kind).noun }];
    })
    .sort((a, b) => a.rank - b.rank)
    .map(({ n, noun: [one, many] }) => `${n} ${n === 1 ? one : many}`)
    .join(', ');
}

/** What the configuration cannot express, for what this bundle holds. */
function limits(model: RenderModel): string[] {
  const of = (kind: KindName, test: (r: RenderResource) => boolean = () => true) =>
    model.resources.some((r) => r.kind === kind && test(r));
  const out: string[] = [];
  if (of('network.security-group', (r) => r.doc['is_default'] === true))
    out.push(
      "- The source's `default` security group: every project has its own and Neutron refuses a",
      "  second. Its rules are added to the destination project's default group (looked up in the",
      "  provider's project), leaving out those Neutron puts in every default group; rules already",
      '  there are not removed. Should one of the added rules be there already, the apply fails',
      '  with a conflict: remove that rule block.',
    );
  if (of('block-storage.snapshot'))
    out.push(
      '- Volume snapshots: the provider has no snapshot resource, and nothing writes data into a',
      '  snapshot. They are not here; `downpour import` makes them (each a snapshot of a volume of',
      '  its own that holds its data).',
    );
  if (of('block-storage.volume', (r) => r.data !== undefined))
    out.push(
      "- Volume data reaches Cinder through a Glance image the volume is created from. Downpour's",
      '  import deletes that image afterwards; here it stays, because the volume refers to it.',
    );
  if (of('block-storage.volume', (r) => r.data !== undefined && r.doc['bootable'] === 'false'))
    out.push(
      '- Cinder marks a volume created from an image bootable; the provider cannot clear the flag',
      '  of the volumes that were not (`openstack volume set --non-bootable VOLUME` can).',
    );
  if (of('network.floating-ip'))
    out.push(
      '- Floating IPs get new addresses (choosing one is admin-only): `terraform output',
      '  floating_ip_addresses` lists them.',
    );
  if (of('network.router', (r) => Boolean(r.doc['external_gateway_info'])))
    out.push('- A router gateway gets the address and SNAT setting the destination gives it (admin-only).');
  if (of('network.router', (r) => Array.isArray(r.doc['routes']) && r.doc['routes'].length > 0))
    out.push('- Static router routes need the extraroute extension at the destination.');
  if (of('network.port', (r) => typeof r.doc['mac_address'] === 'string'))
    out.push(
      '- Ports keep their MAC addresses. Where the policy refuses a chosen one, the apply fails on',
      "  that port: delete its `mac_address` line (Downpour's import lets the cloud choose then).",
    );
  if (of('compute.server', (r) => r.doc['status'] === 'SHUTOFF'))
    out.push(
      '- A server stopped at the source is created, then stopped (`power_state = "shutoff"`):',
      '  it boots once.',
    );
  if (
    of(
      'compute.server',
      (r) =>
        docOf(r, 'compute.server').volumes?.some((v) => v.boot_index !== 0 && v.delete_on_termination) ===
        true,
    )
  )
    out.push('- A data volume set to go with its server at the source is attached without that setting.');
  if (of('object-store.container'))
    out.push(
      '- Containers are created empty: their objects are not in the configuration. `downpour import`',
      '  uploads them (a bundle of containers only: `downpour select --container`; with',
      '  `containers: { NAME: merge }` in map.yaml to fill a container made here). `force_destroy` is',
      '  off: `terraform destroy` fails on a container that still holds objects.',
    );
  const acls = (r: RenderResource) => {
    const d = docOf(r, 'object-store.container');
    return [containerAcl(d, 'read_acl'), containerAcl(d, 'write_acl')];
  };
  if (of('object-store.container', (r) => acls(r).some((a) => a?.entries.some((e) => e.type === 'owner'))))
    out.push(
      '- Container ACL entries that named the source project or user name the project and user the',
      "  provider is logged in as, as Downpour's import maps them.",
    );
  if (of('object-store.container', (r) => acls(r).some((a) => (a?.dropped.length ?? 0) > 0)))
    out.push(
      '- Container ACL entries that named other projects or users of the source are left out (the',
      '  comment above each such container lists them).',
    );
  if (of('object-store.container', (r) => typeof r.doc['storage_policy'] === 'string'))
    out.push(
      "- A container's `storage_policy` is the source's policy name, which the destination must have;",
      "  the mapping file's `storagePolicies` is not applied here.",
    );
  out.push(
    "- A server's user_data (tenant credentials cannot read it) and its description (the provider",
    '  has no argument for it) are not carried.',
  );
  return out;
}

export function terraformReadme(
  model: RenderModel,
  summaryRank: (kind: KindName) => number | undefined,
): string {
  const hasData = model.resources.some((r) => r.data);
  const inputs = model.inputs.map(
    (i) =>
      `- \`${i.symbol}\` = \`${i.default}\`${i.mapped ? ' (from the mapping file)' : ''}: ${i.description}`,
  );
  const notes = model.notes.map((n) => `- ${n.message}`);
  const step = (n: number) => String(hasData ? n + 1 : n);
  const lines = [
    `# Project ${model.source.project.name} of cloud ${model.source.cloud}, as Terraform`,
    '',
    `Rendered by \`downpour render --format terraform\` from bundle \`${model.bundleId}\`,`,
    `exported ${model.exportedAt}. It creates ${model.resources.length} resources: ${summary(model, summaryRank)}.`,
    '',
    'It is written for the `terraform-provider-openstack/openstack` provider, version 3.4 or a later',
    '3.x. OpenTofu applies it the same way: read `tofu` for `terraform` below.',
    '',
    '- `main.tf`: the resources, in dependency order, each under a comment naming the source',
    '  resource (kind, name, source id).',
    '- `variables.tf`: what the destination must already have (below), and `cloud`.',
    '- `outputs.tf`: `id_map`, the old (source) id -> new id of each resource created.',
    ...(hasData
      ? [`- \`${ASSEMBLE_SCRIPT}\`: rebuilds from the bundle the image and volume files \`main.tf\` uploads.`]
      : []),
    '',
    '## Apply',
    '',
    ...(hasData
      ? [
          '1. Rebuild the image and volume files from the bundle (its directory, or its .tar); each',
          "   file's SHA-256 is checked against the bundle's record:",
          '',
          `       sh ${ASSEMBLE_SCRIPT} BUNDLE`,
          '',
        ]
      : []),
    `${step(1)}. Look at the inputs in \`variables.tf\`; set others with \`-var NAME=VALUE\` or in a`,
    '   `terraform.tfvars` file. Their defaults:',
    '',
    ...(inputs.length ? inputs.map((l) => `   ${l}`) : ['   (none)']),
    '',
    `${step(2)}. Apply, with \`cloud\` an entry of your clouds.yaml (or leave it out and set OS_CLOUD):`,
    '',
    '       terraform init',
    '       terraform apply -var cloud=NAME',
    '       terraform output -json id_map',
    '',
    '`terraform destroy -var cloud=NAME` removes what it created. Terraform keeps its own record',
    '(the state): `downpour import` and `downpour destroy` know nothing of these resources.',
    '',
    '## What this configuration cannot express',
    '',
    ...limits(model),
    ...(notes.length ? ['', 'The export noted:', '', ...notes] : []),
    '',
    '## How it was checked',
    '',
    "Downpour's tests parse every `.tf` file it renders with a real HCL parser (HashiCorp's hcl",
    'library) and check each resource type, argument and nested block, and each reference, against',
    `the schema of ${CHECKED_AGAINST}, read from the provider's source. They do not run`,
    '`terraform apply`, nor `terraform validate`: the machines Downpour is tested on cannot download',
    'the provider. After `terraform init`, `terraform validate` has Terraform check it too.',
    '',
  ];
  return lines.join('\n');
}
