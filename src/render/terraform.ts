/**
 * `downpour render --format terraform`: the bundle as a Terraform (or OpenTofu) configuration
 * for terraform-provider-openstack. main.tf holds the resources in the model's dependency
 * order, each under a comment naming the source resource; variables.tf the inputs (flavors,
 * external networks, volume types, public images, zones) with the mapping file's values as
 * defaults; outputs.tf the old -> new id map; data/assemble.sh rebuilds the image and volume
 * files that main.tf uploads.
 */
import type { KindName } from '../kinds/model.js';
import { ASSEMBLE_SCRIPT, assembleScript } from './data-script.js';
import { attr, blank, block, comment, expr, hclFile, type HclExpr, type HclItem } from './hcl.js';
import type { RenderModel, RenderResource } from './model.js';
import { registerRenderer, type RenderedFile } from './render.js';
import { TERRAFORM_COMPUTE } from './terraform/compute.js';
import { addressOf, TfContext, type TerraformKind, type TfBlock, type TfEmit } from './terraform/context.js';
import { TERRAFORM_NETWORK } from './terraform/network.js';
import { TERRAFORM_STORAGE } from './terraform/storage.js';
import { terraformReadme } from './terraform/readme.js';

/** The provider release whose schema the tests check the output against, and the versions it allows. */
export const PROVIDER_SOURCE = 'terraform-provider-openstack/openstack';
export const PROVIDER_VERSION = '~> 3.4';

/**
 * Each kind's block in main.tf, keyed by kind name; each file of blocks keeps its part of the
 * table beside its blocks. Flavors and volume types must exist at the destination: variables.tf
 * has them, nothing creates them.
 */
export const TERRAFORM_KINDS: Readonly<Record<KindName, TerraformKind>> = {
  'compute.flavor': {},
  'block-storage.volume-type': {},
  ...TERRAFORM_COMPUTE,
  ...TERRAFORM_NETWORK,
  ...TERRAFORM_STORAGE,
};

const toItem = (b: TfBlock): HclItem[] => [
  ...(b.comments.length ? [comment(b.comments.join('\n'))] : []),
  block(b.data ? 'data' : 'resource', [b.type, b.name], b.body),
];

/** Addresses `r` waits for that none of its blocks refers to: the rest Terraform infers. */
function dependsOn(ctx: TfContext, r: RenderResource, emit: TfEmit): HclExpr[] {
  const own = new Set(emit.blocks.map(addressOf));
  const refs = ctx.referenced();
  const needed = new Set<string>();
  for (const symbol of r.dependsOn)
    for (const address of ctx.waitFor(symbol))
      if (!refs.has(address) && !own.has(address)) needed.add(address);
  return [...needed].map(expr);
}

interface Rendered {
  resources: HclItem[];
  lookups: HclItem[];
  idMap: Record<string, HclExpr>;
  addresses: Record<string, HclExpr>;
}

function renderResources(model: RenderModel): Rendered {
  const ctx = new TfContext(model);
  const resources: HclItem[] = [];
  const idMap: Record<string, HclExpr> = {};
  const addresses: Record<string, HclExpr> = {};
  for (const r of model.resources) {
    const emitter = TERRAFORM_KINDS[r.kind].emit;
    if (!emitter) throw new Error(`terraform: no block for a ${r.kind} (${r.comment})`);
    ctx.begin();
    const emit = emitter(ctx, r);
    const after = emit.main ? dependsOn(ctx, r, emit) : [];
    if (emit.main && after.length) emit.main.body.push(blank, attr('depends_on', after));
    ctx.record(r, emit);
    const notes = model.notes.filter((n) => n.key === r.key).map((n) => `Export note: ${n.message}.`);
    resources.push(comment([r.comment, ...notes, ...(emit.notes ?? [])].join('\n')));
    emit.blocks.forEach((b, i) => resources.push(...(i === 0 ? [] : [blank]), ...toItem(b)));
    resources.push(blank);
    if (emit.main && emit.mapped) idMap[r.sourceId] = ctx.ref(emit.main);
    const address = r.kind === 'network.floating-ip' ? r.doc['floating_ip_address'] : undefined;
    if (emit.main && typeof address === 'string') addresses[address] = ctx.ref(emit.main, 'address');
  }
  const lookups = [...ctx.lookups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([, b]) => [...toItem(b), blank]);
  return { resources, lookups, idMap, addresses };
}

function mainTf(model: RenderModel, rendered: Rendered): string {
  const header = [
    `Rendered by Downpour from bundle ${model.bundleId}: project ${model.source.project.name} of cloud`,
    `${model.source.cloud}, exported ${model.exportedAt}. How to apply it and what it cannot express: README.md.`,
  ];
  const items: HclItem[] = [
    comment(header.join('\n')),
    blank,
    block(
      'terraform',
      [],
      [
        block(
          'required_providers',
          [],
          [attr('openstack', { source: PROVIDER_SOURCE, version: PROVIDER_VERSION })],
        ),
      ],
    ),
    blank,
    comment('An entry of clouds.yaml: -var cloud=NAME, or OS_CLOUD when the variable is left unset.'),
    block('provider', ['openstack'], [attr('cloud', expr('var.cloud'))]),
    blank,
    ...rendered.lookups,
    ...rendered.resources,
  ];
  while (items.at(-1) === blank) items.pop();
  return hclFile(items);
}

function variablesTf(model: RenderModel): string {
  const items: HclItem[] = [
    comment(
      [
        "What the destination must already have. The defaults are the mapping file's values, else the",
        "source's names; set others with -var NAME=VALUE or a terraform.tfvars file.",
      ].join('\n'),
    ),
    blank,
    block(
      'variable',
      ['cloud'],
      [
        attr('description', 'Entry of clouds.yaml to apply to; when null, the provider reads OS_CLOUD'),
        attr('type', expr('string')),
        attr('default', null),
      ],
    ),
  ];
  for (const input of model.inputs) {
    items.push(
      blank,
      comment(
        input.mapped
          ? `From the mapping file: ${input.source} -> ${input.default}.`
          : `Not mapped: the source's name.`,
      ),
      block(
        'variable',
        [input.symbol],
        [
          attr('description', input.description),
          attr('type', expr('string')),
          attr('default', input.default),
        ],
      ),
    );
  }
  return hclFile(items);
}

function outputsTf(rendered: Rendered): string {
  const items: HclItem[] = [
    comment('Old (source) id -> new id of each resource created, as `downpour import` reports it.'),
    block(
      'output',
      ['id_map'],
      [attr('description', 'Source id -> destination id'), attr('value', rendered.idMap)],
    ),
  ];
  if (Object.keys(rendered.addresses).length)
    items.push(
      blank,
      comment('Floating IPs get new addresses at the destination.'),
      block(
        'output',
        ['floating_ip_addresses'],
        [
          attr('description', 'Source floating IP address -> destination address'),
          attr('value', rendered.addresses),
        ],
      ),
    );
  return hclFile(items);
}

export function renderTerraform(model: RenderModel): RenderedFile[] {
  const rendered = renderResources(model);
  const files: RenderedFile[] = [
    { path: 'main.tf', content: mainTf(model, rendered) },
    { path: 'variables.tf', content: variablesTf(model) },
    { path: 'outputs.tf', content: outputsTf(rendered) },
    { path: 'README.md', content: terraformReadme(model, (kind) => TERRAFORM_KINDS[kind].summary) },
  ];
  const script = assembleScript(model);
  if (script) files.push({ path: ASSEMBLE_SCRIPT, content: script, mode: 0o755 });
  return files;
}

registerRenderer('terraform', renderTerraform);
