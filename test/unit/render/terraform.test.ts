import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BundleWriter, MediaType, openBundle, packBundle } from '../../../src/bundle/index.js';
import type { MappingFile } from '../../../src/plan/types.js';
import '../../../src/render/formats.js';
import { buildRenderModel } from '../../../src/render/model.js';
import {
  loadRenderModel,
  renderModel,
  writeRendered,
  type RenderedFile,
} from '../../../src/render/render.js';
import { PROVIDER_SOURCE, PROVIDER_VERSION } from '../../../src/render/terraform.js';
import { containersModel, fixtureModel, loadRenderFixture } from './support.js';
import {
  checkBody,
  checkReferences,
  declarations,
  labelled,
  loadProviderSchema,
  parseConfig,
  type ParsedConfig,
} from './terraform-schema.js';

const run = promisify(execFile);
const schema = loadProviderSchema();
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'downpour-tf-'));
  temps.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

const render = (mapping: MappingFile = {}) => renderModel(fixtureModel(mapping), 'terraform');
const file = (files: RenderedFile[], path: string) => {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} among ${files.map((x) => x.path).join(', ')}`);
  return f.content;
};

/** Every problem the schema and reference checks find in a rendered configuration. */
async function problemsOf(
  files: RenderedFile[],
): Promise<{ problems: string[]; config: Map<string, ParsedConfig> }> {
  const config = await parseConfig(files);
  const declared = declarations(config, schema);
  const problems: string[] = [];
  const seen = new Set<string>();
  const once = (address: string) => {
    if (seen.has(address)) problems.push(`${address} is declared twice`);
    seen.add(address);
  };
  for (const [path, parsed] of config) {
    for (const key of Object.keys(parsed))
      if (!['terraform', 'provider', 'variable', 'output', 'resource', 'data'].includes(key))
        problems.push(`${path}: unexpected top-level ${key}`);
    for (const [[type, name], body] of labelled(parsed['resource'], 2)) {
      once(`${type}.${name}`);
      const s = schema.resources[type as string];
      if (!s) problems.push(`${path}: the provider has no resource type ${type}`);
      else problems.push(...checkBody(s, body, `${type}.${name}`, true));
      problems.push(...(await checkReferences(path, body, declared, `${type}.${name}`)).problems);
    }
    for (const [[type, name], body] of labelled(parsed['data'], 2)) {
      once(`data.${type}.${name}`);
      const s = schema.dataSources[type as string];
      if (!s) problems.push(`${path}: the provider has no data source ${type}`);
      else problems.push(...checkBody(s, body, `data.${type}.${name}`, true));
      problems.push(...(await checkReferences(path, body, declared, `data.${type}.${name}`)).problems);
    }
    for (const [[name], body] of labelled(parsed['provider'], 1)) {
      if (name !== 'openstack') problems.push(`${path}: provider ${name}`);
      else problems.push(...checkBody(schema.provider, body, 'provider', false));
      problems.push(...(await checkReferences(path, body, declared, 'provider')).problems);
    }
    for (const [[name], body] of labelled(parsed['variable'], 1)) {
      once(`var.${name}`);
      for (const key of Object.keys(body))
        if (!['description', 'type', 'default'].includes(key)) problems.push(`variable ${name}: ${key}`);
    }
    for (const [[name], body] of labelled(parsed['output'], 1))
      problems.push(...(await checkReferences(path, body, declared, `output ${name}`)).problems);
  }
  return { problems, config };
}

/** The text span of each `resource`/`data` block in main.tf, by address. */
function blockSpans(main: string): Map<string, { start: number; text: string }> {
  const spans = new Map<string, { start: number; text: string }>();
  for (const m of main.matchAll(/^(resource|data) "([a-z0-9_]+)" "([a-z0-9_]+)" \{\n([\s\S]*?)^\}$/gm)) {
    const address = `${m[1] === 'data' ? 'data.' : ''}${m[2]}.${m[3]}`;
    spans.set(address, { start: m.index, text: m[4] ?? '' });
  }
  return spans;
}

describe('terraform renderer', () => {
  it('writes HCL that a real HCL parser reads, every type, argument, block and reference in the provider schema', async () => {
    const files = render();
    expect(files.map((f) => f.path)).toEqual([
      'README.md',
      'data/assemble.sh',
      'main.tf',
      'outputs.tf',
      'variables.tf',
    ]);
    const { problems, config } = await problemsOf(files);
    expect(problems).toEqual([]);
    // The check has something to check: every kind the sample workload has became a block.
    const main = config.get('main.tf') ?? {};
    const types = [...labelled(main['resource'], 2)].map(([[type]]) => type);
    expect(new Set(types)).toEqual(
      new Set([
        'openstack_blockstorage_volume_v3',
        'openstack_compute_instance_v2',
        'openstack_compute_keypair_v2',
        'openstack_compute_servergroup_v2',
        'openstack_compute_volume_attach_v2',
        'openstack_images_image_v2',
        'openstack_networking_floatingip_associate_v2',
        'openstack_networking_floatingip_v2',
        'openstack_networking_network_v2',
        'openstack_networking_port_v2',
        'openstack_networking_router_interface_v2',
        'openstack_networking_router_route_v2',
        'openstack_networking_router_v2',
        'openstack_networking_secgroup_rule_v2',
        'openstack_networking_secgroup_v2',
        'openstack_networking_subnet_route_v2',
        'openstack_networking_subnet_v2',
      ]),
    );
    const terraform = [...labelled(main['terraform'], 0)][0]?.[1];
    expect(terraform?.['required_providers']).toEqual([
      { openstack: { source: PROVIDER_SOURCE, version: PROVIDER_VERSION } },
    ]);
    // "~> 3.4" admits the release the schema was read from.
    expect(schema.source.tag).toMatch(/^v3\.([4-9]|\d\d+)\./);
  });

  it('refuses what the provider does not have: the checks can fail', async () => {
    const main = file(render(), 'main.tf');
    const variables = { path: 'variables.tf', content: file(render(), 'variables.tf') };
    const broken = (text: string) => problemsOf([{ path: 'main.tf', content: text }, variables]);
    expect((await broken(main)).problems).toEqual([]);
    const unknownArg = await broken(main.replace('  mac_address           = "fa:16', '  mac_addr = "fa:16'));
    expect(unknownArg.problems.join('\n')).toMatch(/no argument or block mac_addr/);
    const computed = await broken(
      main.replace('  name             = "rfx-web-disk"', '  name = "rfx-web-disk"\n  checksum = "x"'),
    );
    expect(computed.problems.join('\n')).toMatch(/checksum is computed/);
    const dangling = await broken(main.replace('var.flavor_m1_tiny', 'var.flavor_nope'));
    expect(dangling.problems).toEqual([
      'openstack_compute_instance_v2.server_rfx_db: var.flavor_nope is not declared',
    ]);
    const badAttr = await broken(main.replace('keypair_rfx_key.name', 'keypair_rfx_key.nickname'));
    expect(badAttr.problems.join('\n')).toMatch(/has no attribute nickname/);
    const asArgument = await broken(
      main.replace(/ {2}scheduler_hints \{\n {4}group = ([^\n]+)\n {2}\}/, '  scheduler_hints = "$1"'),
    );
    expect(asArgument.problems.join('\n')).toMatch(/scheduler_hints must be written as a block/);
    const missing = await broken(main.replace(/ {2}next_hop {9}= "10\.61\.2\.250"\n/, ''));
    expect(missing.problems.join('\n')).toMatch(/required argument next_hop is missing/);
    const twice = await broken(
      `${main}\nresource "openstack_compute_keypair_v2" "keypair_rfx_key" {\n  name = "k"\n}\n`,
    );
    expect(twice.problems).toContain('openstack_compute_keypair_v2.keypair_rfx_key is declared twice');
    await expect(parseConfig([{ path: 'main.tf', content: `${main}\nresource "x" {` }])).rejects.toThrow();
  });

  it('writes each block after every block it refers to, under a comment naming its source resource', async () => {
    const model = fixtureModel();
    const main = file(render(), 'main.tf');
    // The source resources' comments, in the model's dependency order.
    let at = -1;
    for (const r of model.resources) {
      const next = main.indexOf(`# ${r.comment}\n`);
      expect(next, r.comment).toBeGreaterThan(at);
      at = next;
    }
    const { config } = await problemsOf([
      { path: 'main.tf', content: main },
      ...render().filter((f) => f.path === 'variables.tf'),
    ]);
    const declared = declarations(config, schema);
    const spans = blockSpans(main);
    expect(spans.size).toBe(declared.blocks.size);
    const parsed = config.get('main.tf') ?? {};
    const bodies = [
      ...[...labelled(parsed['resource'], 2)].map(([[t, n], b]) => [`${t}.${n}`, b] as const),
      ...[...labelled(parsed['data'], 2)].map(([[t, n], b]) => [`data.${t}.${n}`, b] as const),
    ];
    let edges = 0;
    for (const [address, body] of bodies) {
      const { references } = await checkReferences('main.tf', body, declared, address);
      for (const ref of references.filter((x) => !/^(var|path)\./.test(x))) {
        const target = ref
          .split('.')
          .slice(0, ref.startsWith('data.') ? 3 : 2)
          .join('.');
        expect(spans.get(target)?.start, `${address} -> ${target}`).toBeLessThan(
          spans.get(address)?.start ?? -1,
        );
        edges++;
      }
    }
    expect(edges).toBeGreaterThan(40);
  });

  it('creates what Downpour import creates: fixed IPs and MACs, boot from volume, data volume attached, server group, gateway', () => {
    const main = file(render(), 'main.tf');
    const spans = blockSpans(main);
    const body = (address: string) => spans.get(address)?.text ?? `(no ${address})`;
    expect(body('openstack_networking_port_v2.port_rfx_web_front')).toContain(
      'mac_address           = "fa:16:3e:d9:65:67"',
    );
    expect(body('openstack_networking_port_v2.port_rfx_web_front')).toMatch(
      /fixed_ip \{\n {4}subnet_id {2}= openstack_networking_subnet_v2\.subnet_rfx_front_subnet\.id\n {4}ip_address = "10\.61\.1\.10"/,
    );
    const db = body('openstack_compute_instance_v2.server_rfx_db');
    expect(db).toContain('uuid                  = openstack_blockstorage_volume_v3.volume_rfx_boot.id');
    expect(db).toContain('source_type           = "volume"');
    expect(db).not.toContain('image_id');
    const web = body('openstack_compute_instance_v2.server_rfx_web');
    expect(web).toContain('image_id          = openstack_images_image_v2.image_rfx_web_disk.id');
    expect(web).toContain('group = openstack_compute_servergroup_v2.server_group_rfx_group.id');
    // Ports in the source's order: the first is the server's first NIC.
    expect(web.indexOf('port_rfx_web_front')).toBeLessThan(web.indexOf('port_rfx_web_back'));
    expect(body('openstack_compute_volume_attach_v2.server_rfx_web_volume_rfx_data')).toContain(
      'volume_id   = openstack_blockstorage_volume_v3.volume_rfx_data.id',
    );
    // A volume's data goes through an image it is created from.
    expect(body('openstack_blockstorage_volume_v3.volume_rfx_data')).toContain(
      'image_id          = openstack_images_image_v2.volume_rfx_data_data.id',
    );
    expect(body('openstack_networking_router_v2.router_rfx_router')).toContain(
      'external_network_id = data.openstack_networking_network_v2.network_public.id',
    );
    expect(body('data.openstack_networking_network_v2.network_public')).toContain(
      'name = var.network_public',
    );
    expect(body('openstack_networking_floatingip_associate_v2.floating_ip_for_10_61_1_10')).toContain(
      'port_id     = openstack_networking_port_v2.port_rfx_web_front.id',
    );
    // The next hop of a static route is reachable only once the interfaces exist.
    expect(body('openstack_networking_router_route_v2.router_rfx_router_route_1')).toMatch(
      /depends_on = \[\n {4}openstack_networking_router_interface_v2/,
    );
    // Security groups start empty, then get the source's rules, remote groups included.
    expect(body('openstack_networking_secgroup_v2.secgroup_rfx_db')).toContain('delete_default_rules = true');
    expect(body('openstack_networking_secgroup_rule_v2.secgroup_rules_rfx_db_4')).toContain(
      'remote_group_id   = openstack_networking_secgroup_v2.secgroup_rfx_web.id',
    );
  });

  it('merges the source default group into the destination one, and stops a server that was stopped', async () => {
    const f = loadRenderFixture();
    const db = Object.entries(f.documents).find(
      ([k]) => k === 'network.security-group:daaeaa42-529b-4915-ad5d-d1257717c656',
    );
    const server = Object.entries(f.documents).find(([, d]) => d['name'] === 'rfx-web' && 'flavor' in d);
    if (!db || !server) throw new Error('fixture changed');
    db[1]['name'] = 'default';
    db[1]['is_default'] = true;
    for (const n of f.graph.nodes) if (n.sourceId === db[0].split(':')[1]) n.name = 'default';
    server[1]['status'] = 'SHUTOFF';
    const rules = f.documents['network.security-group-rules:daaeaa42-529b-4915-ad5d-d1257717c656'] as {
      rules: Record<string, unknown>[];
    };
    // Neutron's own ingress rule of a default group, from the group itself.
    rules.rules.push({ direction: 'ingress', ethertype: 'IPv4', remote_group_id: db[0].split(':')[1] });
    const model = buildRenderModel({
      graph: f.graph,
      bundleId: f.bundleId,
      documents: new Map(Object.entries(f.documents)),
      manifests: new Map(Object.entries(f.manifests)),
      mapping: {},
    });
    const files = renderModel(model, 'terraform');
    expect((await problemsOf(files)).problems).toEqual([]);
    const main = file(files, 'main.tf');
    const spans = blockSpans(main);
    expect(spans.has('openstack_networking_secgroup_v2.secgroup_default')).toBe(false);
    expect(spans.get('data.openstack_networking_secgroup_v2.secgroup_default')?.text).toContain(
      'tenant_id = data.openstack_identity_auth_scope_v3.current.project_id',
    );
    // Its egress rules and the self-referencing ingress rule are in every default group already.
    const added = [...spans.keys()].filter((a) => a.includes('secgroup_rules_default_'));
    expect(added.sort()).toEqual([
      'openstack_networking_secgroup_rule_v2.secgroup_rules_default_3',
      'openstack_networking_secgroup_rule_v2.secgroup_rules_default_4',
    ]);
    expect(main).toContain('Rule 5 (ingress IPv4 any from group default) is in every default group already.');
    expect(spans.get('openstack_networking_port_v2.port_rfx_db_port')?.text).toContain(
      'data.openstack_networking_secgroup_v2.secgroup_default.id',
    );
    expect(spans.get('openstack_compute_instance_v2.server_rfx_web')?.text).toContain(
      'power_state = "shutoff"',
    );
    expect(spans.get('openstack_compute_instance_v2.server_rfx_db')?.text).not.toContain('power_state');
    const readme = file(files, 'README.md');
    expect(readme).toContain("The source's `default` security group");
    expect(readme).toContain('power_state = "shutoff"');
  });

  it('creates Swift containers with metadata, storage policy, versioning and ACLs naming the provider project and user', async () => {
    const files = renderModel(containersModel(), 'terraform');
    expect((await problemsOf(files)).problems).toEqual([]);
    const main = file(files, 'main.tf');
    const spans = blockSpans(main);
    const scope = 'data.openstack_identity_auth_scope_v3.current';
    const assets = spans.get('openstack_objectstorage_container_v1.container_assets')?.text ?? '';
    expect(assets).toContain('name            = "assets"');
    expect(assets).toContain('storage_policy  = "gold"');
    // The source project and user become the provider's; another project's entry is left out.
    expect(assets).toContain(`container_read  = ".r:*,.rlistings,\${${scope}.project_id}:*"`);
    expect(assets).toContain(`container_write = "\${${scope}.project_id}:\${${scope}.user_id}"`);
    expect(assets).not.toContain('4a1f0c3e');
    expect(assets).toMatch(
      /metadata = \{\n {4}"quota-bytes" = "1000000"\n {4}"web-index" {3}= "index\.html"\n {2}\}/,
    );
    // Older versions go to the archive container's block, which comes first.
    expect(assets).toMatch(
      /versioning_legacy \{\n {4}type {5}= "versions"\n {4}location = openstack_objectstorage_container_v1\.container_assets_archive\.name\n {2}\}/,
    );
    expect(assets).not.toContain('versioning ');
    expect(spans.get('openstack_objectstorage_container_v1.container_assets_archive')?.start).toBeLessThan(
      spans.get('openstack_objectstorage_container_v1.container_assets')?.start ?? -1,
    );
    expect(main).toContain(
      "# Left out of its read ACL, as Downpour's import leaves them out: 4a1f0c3e9b7d4e2f8c6a5b3d1e0f9a8b:*",
    );
    expect(main).toContain('# Created empty: its objects (3 objects, 2.0 KiB at the source)');
    const logs = spans.get('openstack_objectstorage_container_v1.container_logs')?.text ?? '';
    expect(logs).toContain('container_read = "*:*"');
    expect(logs).toContain('versioning     = true');
    expect(logs).not.toContain('versioning_legacy');
    expect(file(files, 'outputs.tf')).toMatch(
      /\n {4}assets +=  ?openstack_objectstorage_container_v1\.container_assets\.id\n/,
    );
    const readme = file(files, 'README.md');
    expect(readme).toContain('3 containers.');
    expect(readme).toContain('- Containers are created empty');
    expect(readme).toContain('- Container ACL entries that named the source project or user');
    expect(readme).toContain('- Container ACL entries that named other projects or users');
    expect(readme).toContain("- A container's `storage_policy` is the source's policy name");
    // The shop bundle alone says nothing of containers.
    expect(file(render(), 'README.md')).not.toContain('ontainer');
  });

  it('gives the same bytes twice, and takes variable defaults from the mapping file', () => {
    expect(render()).toEqual(render());
    const plain = file(render(), 'variables.tf');
    expect(plain).toMatch(/variable "flavor_m1_tiny" \{\n[^}]*default {5}= "m1\.tiny"/);
    const mapped = render({ flavors: { 'm1.tiny': 'ds.nano' }, networks: { public: 'ext-net' } });
    const variables = file(mapped, 'variables.tf');
    expect(variables).toMatch(/variable "flavor_m1_tiny" \{\n[^}]*default {5}= "ds\.nano"/);
    expect(variables).toMatch(/variable "network_public" \{\n[^}]*default {5}= "ext-net"/);
    expect(variables).toContain('From the mapping file: m1.tiny -> ds.nano.');
    // Only the defaults change: the resources are the same.
    expect(file(mapped, 'main.tf')).toBe(file(render(), 'main.tf'));
    const noZones = file(render({ availabilityZones: { nova: '' } }), 'main.tf');
    expect(noZones).not.toContain('availability_zone');
  });

  it('says in its README how to apply it, what it cannot express, and that the tests do not run terraform', () => {
    const readme = file(render(), 'README.md');
    expect(readme).toContain('sh data/assemble.sh BUNDLE');
    expect(readme).toContain('terraform init');
    expect(readme).toContain('terraform apply -var cloud=NAME');
    expect(readme).toContain('OpenTofu');
    expect(readme).toContain('Volume data reaches Cinder through a Glance image');
    expect(readme).toContain('extraroute');
    expect(readme).toContain('floating_ip_addresses');
    // Only what this bundle holds: it has no default group and no stopped server.
    expect(readme).not.toContain('default` security group');
    expect(readme).not.toContain('power_state');
    expect(readme).toMatch(/do not run\s+`terraform apply`/);
    expect(readme).toContain(`terraform-provider-openstack ${schema.source.tag}`);
  });

  it('uploads files that data/assemble.sh rebuilds from a real bundle, directory or .tar, as its README says', async () => {
    const root = await tempDir();
    const bundleDir = join(root, 'shop.bundle');
    const expected = await writeFixtureBundle(bundleDir);
    const reader = await openBundle(bundleDir);
    const files = renderModel(await loadRenderModel(reader, {}), 'terraform');
    const out = join(root, 'shop-tf');
    await writeRendered(files, out);
    expect((await problemsOf(files)).problems).toEqual([]);

    // Every local_file_path names a file the script rebuilds.
    const paths = [
      ...file(files, 'main.tf').matchAll(/local_file_path {2}= "\$\{path\.module\}\/(data\/[^"]+)"/g),
    ].map((m) => m[1] as string);
    expect(paths.sort()).toEqual([...expected.keys()].sort());

    const first = await run('sh', ['data/assemble.sh', bundleDir], { cwd: out });
    expect(first.stdout).toMatch(/rebuilt, SHA-256 ok/);
    for (const [path, digest] of expected) expect(sha256(await readFile(join(out, path))), path).toBe(digest);

    const tar = join(root, 'shop.tar');
    await packBundle(bundleDir, tar);
    await rm(join(out, 'data', paths[0]?.slice('data/'.length) ?? ''));
    const fromTar = await run('sh', ['data/assemble.sh', tar], { cwd: out });
    expect(fromTar.stdout).toMatch(/rebuilt, SHA-256 ok/);
    expect(fromTar.stdout).toMatch(/already rebuilt/);
    for (const [path, digest] of expected) expect(sha256(await readFile(join(out, path))), path).toBe(digest);
  });
});

/**
 * Writes the fixture's graph and documents as a real bundle, with small random data of several
 * chunks in place of each image's and volume's bytes. Returns data file -> SHA-256.
 */
async function writeFixtureBundle(dir: string): Promise<Map<string, string>> {
  const f = loadRenderFixture();
  const writer = await BundleWriter.open(dir);
  const graph = structuredClone(f.graph);
  const digests = new Map<string, string>();
  for (const node of graph.nodes) {
    node.document = await writer.putJson(MediaType.resource, { document: f.documents[node.key] ?? {} });
    if (!node.dataInfo) continue;
    const bytes = randomBytes(150_000 + digests.size);
    const { descriptor } = await writer.putData(Readable.from([bytes]), {
      key: node.key,
      chunkSize: 64 * 1024,
    });
    node.data = descriptor;
    node.dataInfo = { ...node.dataInfo, size: bytes.length, sha256: sha256(bytes) };
    digests.set(node.key, sha256(bytes));
  }
  await writer.commit(await writer.putJson(MediaType.graph, graph));
  // Data file names come from the model: read them back the way the renderer does.
  const model = await loadRenderModel(await openBundle(dir), {});
  return new Map(
    model.resources.flatMap((r) => (r.data ? [[`data/${r.data.file}`, digests.get(r.key) ?? '']] : [])),
  );
}
