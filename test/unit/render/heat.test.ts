import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { MappingFile } from '../../../src/plan/types.js';
import { renderHeat } from '../../../src/render/heat.js';
import { buildRenderModel, type RenderModel } from '../../../src/render/model.js';
import { writeRendered } from '../../../src/render/render.js';
import { containersModel, fixtureModel, loadRenderFixture } from './support.js';

type Fixture = ReturnType<typeof loadRenderFixture>;

interface HeatResourceDoc {
  type: string;
  depends_on?: string[];
  properties: Record<string, unknown>;
}
interface HeatDoc {
  parameters: Record<string, { type: string; constraints?: { custom_constraint: string }[] }>;
  resources: Record<string, HeatResourceDoc>;
  outputs: Record<string, { value: unknown }>;
}

function filesOf(model: RenderModel): Map<string, string> {
  return new Map(renderHeat(model).map((f) => [f.path, f.content]));
}

/** Heat reads templates with PyYAML, a YAML 1.1 reader. */
const yaml11 = <T>(text: string | undefined): T => parse(text ?? '', { version: '1.1' }) as T;

function rendered(model: RenderModel) {
  const files = filesOf(model);
  return {
    files,
    template: yaml11<HeatDoc>(files.get('template.yaml')),
    environment: yaml11<{ parameters: Record<string, string> }>(files.get('environment.yaml')),
  };
}

/** The fixture's graph, documents and manifests, changed by `edit`, as a model. */
function variant(edit: (f: Fixture) => void, mapping: MappingFile = {}): RenderModel {
  const f = loadRenderFixture();
  edit(f);
  return buildRenderModel({
    graph: f.graph,
    bundleId: f.bundleId,
    documents: new Map(Object.entries(f.documents)),
    manifests: new Map(Object.entries(f.manifests)),
    mapping,
  });
}

const docKey = (f: Fixture, kind: string, name: string) => {
  const node = f.graph.nodes.find((n) => n.kind === kind && n.name === name);
  if (!node) throw new Error(`the fixture has no ${kind} ${name}`);
  return node.key;
};

/** Every intrinsic function call in a value: [function, argument]. */
function intrinsics(value: unknown, out: [string, unknown][] = []): [string, unknown][] {
  if (Array.isArray(value)) for (const v of value) intrinsics(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('get_')) out.push([k, v]);
      else intrinsics(v, out);
    }
  }
  return out;
}

describe('heat renderer', () => {
  it('writes a template whose every get_resource, get_attr and depends_on names a resource, and every get_param a parameter', () => {
    const { template, files } = rendered(fixtureModel());
    // Unquoted, as HOT is written: Heat's reader takes YAML timestamps as strings.
    expect(files.get('template.yaml')).toMatch(/^heat_template_version: 2018-08-31$/m);
    const resources = new Set(Object.keys(template.resources));
    const calls = intrinsics([template.resources, template.outputs]);
    expect(calls.length).toBeGreaterThan(40);
    for (const [fn, arg] of calls) {
      if (fn === 'get_resource') expect(resources, `get_resource ${String(arg)}`).toContain(arg);
      else if (fn === 'get_attr') expect(resources).toContain((arg as string[])[0]);
      else if (fn === 'get_param') expect(Object.keys(template.parameters)).toContain(arg);
      else throw new Error(`unexpected function ${fn}`);
    }
    for (const [name, r] of Object.entries(template.resources)) {
      for (const d of r.depends_on ?? []) expect(resources, `${name} depends on ${d}`).toContain(d);
      expect(r.type).toMatch(/^OS::(Nova|Neutron|Cinder)::[A-Za-z]+$/);
    }
  });

  it('gives every parameter a value in environment.yaml, and no value to anything else', () => {
    const { template, environment } = rendered(fixtureModel());
    expect(Object.keys(environment.parameters).sort()).toEqual(Object.keys(template.parameters).sort());
    for (const v of Object.values(environment.parameters)) expect(typeof v).toBe('string');
    expect(environment.parameters).toMatchObject({
      flavor_m1_tiny: 'm1.tiny',
      network_public: 'public',
      volume_type_default: '__DEFAULT__',
      compute_zone_nova: 'nova',
      volume_zone_nova: 'nova',
      image_rfx_web_disk: 'rfx-web-disk',
      volume_rfx_boot_image: 'rfx-boot-volume-data',
      volume_rfx_data_image: 'rfx-data-volume-data',
    });
    expect(template.parameters['flavor_m1_tiny']?.constraints).toEqual([
      { custom_constraint: 'nova.flavor' },
    ]);
    expect(template.parameters['volume_rfx_data_image']?.constraints).toEqual([
      { custom_constraint: 'glance.image' },
    ]);
  });

  it("shows every resource of the bundle in the model's order, under a comment naming its kind, name and source id", () => {
    const model = fixtureModel();
    const { files, template } = rendered(model);
    const text = files.get('template.yaml') ?? '';
    let last = -1;
    for (const r of model.resources) {
      const at = text.indexOf(`\n  # ${r.comment}\n`);
      expect(at, r.comment).toBeGreaterThan(last);
      last = at;
      expect(r.comment).toContain(r.sourceId);
      // Images are uploaded, not created by the stack; everything else is a resource of its own name.
      if (r.kind !== 'image.image' && r.kind !== 'network.security-group-rules')
        expect(Object.keys(template.resources)).toContain(r.symbol);
    }
    // The block right under each comment is that resource's.
    expect(text).toMatch(/# compute\.server rfx-web \(source id [^)]+\)\n( {2}# .*\n)* {2}server_rfx_web:\n/);
  });

  it('renders the same bytes twice', () => {
    const a = renderHeat(fixtureModel());
    const b = renderHeat(fixtureModel());
    expect(b).toEqual(a);
    expect(a.map((f) => f.path).sort()).toEqual([
      'README.md',
      'data/assemble.sh',
      'environment.yaml',
      'finish.sh',
      'template.yaml',
      'upload-data.sh',
    ]);
    expect(a.filter((f) => f.path.endsWith('.sh')).every((f) => f.mode === 0o755)).toBe(true);
  });

  it("takes the mapping file's values as the environment's, and leaves the template as it was", () => {
    const plain = filesOf(fixtureModel());
    const mapping: MappingFile = {
      flavors: { 'm1.tiny': 'ds.nano' },
      networks: { public: 'ext-net' },
      volumeTypes: { __DEFAULT__: 'ssd' },
      availabilityZones: { nova: 'az-2' },
    };
    const mapped = filesOf(fixtureModel(mapping));
    expect(mapped.get('template.yaml')).toBe(plain.get('template.yaml'));
    expect(
      yaml11<{ parameters: Record<string, string> }>(mapped.get('environment.yaml')).parameters,
    ).toMatchObject({
      flavor_m1_tiny: 'ds.nano',
      network_public: 'ext-net',
      volume_type_default: 'ssd',
      compute_zone_nova: 'az-2',
      volume_zone_nova: 'az-2',
    });
    expect(mapped.get('environment.yaml')).toContain('(mapped by map.yaml from m1.tiny)');
    expect(mapped.get('README.md')).toContain(
      '| `flavor_m1_tiny` | `ds.nano` | mapped by map.yaml from m1.tiny |',
    );
  });

  it("creates each thing the way Downpour's import does", () => {
    const { template: t, files } = rendered(fixtureModel());
    const r = (name: string) => {
      const found = t.resources[name];
      if (!found) throw new Error(`no resource ${name}`);
      return found;
    };
    // Ports keep their addresses, MAC and groups.
    expect(r('port_rfx_web_front').properties).toMatchObject({
      network: { get_resource: 'network_rfx_front' },
      fixed_ips: [{ subnet: { get_resource: 'subnet_rfx_front_subnet' }, ip_address: '10.61.1.10' }],
      mac_address: 'fa:16:3e:d9:65:67',
      security_groups: [{ get_resource: 'secgroup_rfx_web' }],
    });
    // Boot from a volume made from the uploaded data; boot from the uploaded image.
    expect(r('volume_rfx_boot').properties).toMatchObject({
      size: 1,
      image: { get_param: 'volume_rfx_boot_image' },
      volume_type: { get_param: 'volume_type_default' },
    });
    expect(r('server_rfx_db').properties).toMatchObject({
      flavor: { get_param: 'flavor_m1_tiny' },
      block_device_mapping_v2: [
        { volume_id: { get_resource: 'volume_rfx_boot' }, boot_index: 0, delete_on_termination: false },
      ],
      networks: [{ port: { get_resource: 'port_rfx_db_port' } }],
      key_name: { get_resource: 'keypair_rfx_key' },
      tags: ['app=shop'],
      user_data_format: 'RAW',
    });
    expect(r('server_rfx_db').properties).not.toHaveProperty('image');
    expect(r('server_rfx_web').properties).toMatchObject({
      image: { get_param: 'image_rfx_web_disk' },
      networks: [
        { port: { get_resource: 'port_rfx_web_front' } },
        { port: { get_resource: 'port_rfx_web_back' } },
      ],
      scheduler_hints: { group: { get_resource: 'server_group_rfx_group' } },
    });
    // The data volume is attached after boot, and made not bootable afterwards, as at the source.
    expect(r('server_rfx_web_attach_rfx_data')).toEqual({
      type: 'OS::Cinder::VolumeAttachment',
      properties: {
        instance_uuid: { get_resource: 'server_rfx_web' },
        volume_id: { get_resource: 'volume_rfx_data' },
      },
    });
    expect(files.get('finish.sh')).toMatch(/\nnot_bootable volume_rfx_data\n/);
    expect(files.get('finish.sh')).not.toContain('\nnot_bootable volume_rfx_boot');
    // The router: gateway on the mapped network, interfaces, then its static routes.
    expect(r('router_rfx_router').properties['external_gateway_info']).toEqual({
      network: { get_param: 'network_public' },
    });
    const interfaces = Object.entries(t.resources).filter(
      ([, x]) => x.type === 'OS::Neutron::RouterInterface',
    );
    expect(interfaces.map(([, x]) => x.properties)).toEqual([
      { router: { get_resource: 'router_rfx_router' }, subnet: { get_resource: 'subnet_rfx_front_subnet' } },
      { router: { get_resource: 'router_rfx_router' }, subnet: { get_resource: 'subnet_rfx_back_subnet' } },
    ]);
    expect(r('router_rfx_router_routes')).toMatchObject({
      type: 'OS::Neutron::ExtraRouteSet',
      depends_on: interfaces.map(([name]) => name),
      properties: { routes: [{ destination: '203.0.113.0/24', nexthop: '10.61.2.250' }] },
    });
    // A floating IP needs the router's interface on its port's subnet first.
    expect(r('floating_ip_for_10_61_1_10').depends_on).toEqual(
      expect.arrayContaining(interfaces.map(([name]) => name)),
    );
    // Rules for one protocol are resources; rules for any protocol are part of their group.
    expect(r('secgroup_rfx_web').properties['rules']).toEqual([
      { direction: 'egress', ethertype: 'IPv4' },
      { direction: 'egress', ethertype: 'IPv6' },
    ]);
    const rules = Object.values(t.resources).filter((x) => x.type === 'OS::Neutron::SecurityGroupRule');
    expect(rules).toHaveLength(4);
    for (const rule of rules) expect(rule.properties['protocol']).toMatch(/^(tcp|icmp)$/);
    expect(rules).toContainEqual({
      type: 'OS::Neutron::SecurityGroupRule',
      properties: {
        security_group: { get_resource: 'secgroup_rfx_db' },
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: 5432,
        port_range_max: 5432,
        remote_group: { get_resource: 'secgroup_rfx_web' },
      },
    });
    // Networks carry what Heat has no property for through value_specs.
    expect(r('network_rfx_back').properties['value_specs']).toEqual({
      description: 'back network',
      mtu: 1450,
    });
    // The outputs map every created resource's source id to its new id.
    const idMap = t.outputs['id_map']?.value as Record<string, unknown>;
    expect(Object.keys(idMap)).toHaveLength(17);
    expect(idMap['rfx-key']).toEqual({ get_resource: 'keypair_rfx_key' });
  });

  it("merges the source's default group into the destination's instead of creating one", () => {
    const model = variant((f) => {
      const key = docKey(f, 'network.security-group', 'rfx-db');
      const group = f.documents[key] as Record<string, unknown>;
      Object.assign(group, { name: 'default', is_default: true });
    });
    const { template: t, files } = rendered(model);
    expect(Object.values(t.resources).filter((x) => x.type === 'OS::Neutron::SecurityGroup')).toHaveLength(1);
    expect(t.resources['port_rfx_db_port']?.properties['security_groups']).toEqual(['default']);
    const rules = Object.values(t.resources).filter((x) => x.type === 'OS::Neutron::SecurityGroupRule');
    const onDefault = rules.filter((x) => x.properties['security_group'] === 'default');
    expect(onDefault.map((x) => x.properties['protocol']).sort()).toEqual(['icmp', 'tcp']);
    expect(rules.filter((x) => x.properties['remote_group'] === 'default')).toHaveLength(1);
    // The egress rules every default group has are not created twice (Neutron would refuse).
    expect(files.get('template.yaml')).toContain(
      '"egress IPv4 any protocol to anywhere": every default group has it.',
    );
  });

  it('leaves out, and says so, a rule for any protocol that would make two groups wait for each other', () => {
    const model = variant((f) => {
      const db = docKey(f, 'network.security-group-rules', 'rfx-db');
      const web = docKey(f, 'network.security-group-rules', 'rfx-web');
      const idOf = (key: string) => (f.documents[key] as { security_group_id: string }).security_group_id;
      const anyFrom = (from: string) => ({
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: null,
        remote_group_id: from,
      });
      (f.documents[db] as { rules: unknown[] }).rules.push(anyFrom(idOf(web)));
      (f.documents[web] as { rules: unknown[] }).rules.push(anyFrom(idOf(db)));
    });
    const { template: t, files } = rendered(model);
    expect(t.resources['secgroup_rfx_db']?.properties['rules']).toContainEqual({
      direction: 'ingress',
      ethertype: 'IPv4',
      remote_mode: 'remote_group_id',
      remote_group_id: { get_resource: 'secgroup_rfx_web' },
    });
    expect(JSON.stringify(t.resources['secgroup_rfx_web']?.properties['rules'])).not.toContain(
      'secgroup_rfx_db',
    );
    expect(files.get('template.yaml')).toContain(
      '# Left out: the rule "ingress IPv4 any protocol from group rfx-db" of group rfx-web (see README.md).',
    );
    expect(files.get('README.md')).toContain(
      'Left out: the rule "ingress IPv4 any protocol from group rfx-db"',
    );
  });

  it('stops, after the stack, a server that was stopped at the source', () => {
    const model = variant((f) => {
      (f.documents[docKey(f, 'compute.server', 'rfx-db')] as Record<string, unknown>)['status'] = 'SHUTOFF';
    });
    const { files } = rendered(model);
    expect(files.get('finish.sh')).toMatch(/\nstopped server_rfx_db\n/);
    expect(files.get('template.yaml')).toContain(
      'It was stopped (SHUTOFF) at the source: finish.sh stops it.',
    );
  });

  it('needs no upload step for a bundle without data, and names an image it lacks the data of by parameter', () => {
    const model = variant((f) => {
      for (const node of f.graph.nodes) {
        delete node.data;
        delete node.dataInfo;
      }
      f.manifests = {};
    });
    const { files, template: t, environment } = rendered(model);
    expect([...files.keys()].sort()).toEqual(['README.md', 'environment.yaml', 'template.yaml']);
    expect(t.resources['server_rfx_web']?.properties['image']).toEqual({ get_param: 'image_rfx_web_disk' });
    expect(environment.parameters['image_rfx_web_disk']).toBe('rfx-web-disk');
    expect(t.resources['volume_rfx_data']?.properties).not.toHaveProperty('image');
    expect(files.get('README.md')).not.toContain('upload-data.sh');
    expect(files.get('README.md')).toContain('1. Read `environment.yaml`');
  });

  it('quotes what YAML 1.1 would read as something else', () => {
    const model = variant((f) => {
      // A MAC address that YAML 1.1 reads as a base-60 number when unquoted.
      (f.documents[docKey(f, 'network.port', 'rfx-db-port')] as Record<string, unknown>)['mac_address'] =
        '12:34:56:10:20:30';
    });
    const { template: t, files } = rendered(model);
    expect(t.resources['port_rfx_db_port']?.properties['mac_address']).toBe('12:34:56:10:20:30');
    expect(files.get('template.yaml')).toContain('mac_address: "12:34:56:10:20:30"');
  });

  it('creates Swift containers with their name, public ACL entries and metadata, and says what Heat leaves out', () => {
    const { template: t, files } = rendered(containersModel());
    const resources = new Set(Object.keys(t.resources));
    for (const [fn, arg] of intrinsics([t.resources, t.outputs]))
      if (fn === 'get_resource') expect(resources, `get_resource ${String(arg)}`).toContain(arg);
    expect(t.resources['container_assets']).toEqual({
      type: 'OS::Swift::Container',
      // The archive of older versions is created first.
      depends_on: ['container_assets_archive'],
      properties: {
        name: 'assets',
        // The source project's entry and the other project's are left out; no write ACL is left.
        'X-Container-Read': '.r:*,.rlistings',
        'X-Container-Meta': { 'web-index': 'index.html', 'quota-bytes': '1000000' },
        PurgeOnDelete: false,
      },
    });
    expect(t.resources['container_logs']?.properties).toEqual({
      name: 'logs',
      'X-Container-Read': '*:*',
      PurgeOnDelete: false,
    });
    expect((t.outputs['id_map']?.value as Record<string, unknown>)['assets']).toEqual({
      get_resource: 'container_assets',
    });
    const template = files.get('template.yaml') ?? '';
    expect(template).toContain(
      'Heat creates the container only: its objects (3 objects, 2.0 KiB at the source) are not in the stack',
    );
    const readme = files.get('README.md') ?? '';
    expect(readme).toContain(
      'Container assets: its read ACL entries naming the source project or user (875456a5a0794e1081f6def9f38a7da3:*) are left out',
    );
    expect(readme).toContain('Container assets: its write ACL entries naming the source project or user');
    expect(readme).toContain(
      'Container assets: its read ACL entries naming other projects or users of the source (4a1f0c3e9b7d4e2f8c6a5b3d1e0f9a8b:*) are left out',
    );
    expect(readme).toContain('Container assets had storage policy gold');
    expect(readme).toContain("swift post --header 'X-Versions-Location: assets-archive' assets");
    expect(readme).toContain('Container logs had object versioning on (X-Versions-Enabled)');
    expect(readme).not.toContain('Container assets-archive');
    expect(readme.match(/\*\*Objects\.\*\*/g)).toHaveLength(1);
  });

  it('writes shell scripts that sh can parse', () => {
    for (const f of renderHeat(fixtureModel()).filter((x) => x.path.endsWith('.sh'))) {
      const check = spawnSync('sh', ['-n'], { input: f.content, encoding: 'utf8' });
      expect(check.status, `${f.path}: ${check.stderr}`).toBe(0);
    }
  });
});

/**
 * upload-data.sh run for real, against a stand-in `openstack` that answers from files and logs
 * its calls, on a bundle whose data is a few bytes per file.
 */
describe('upload-data.sh', () => {
  const root = mkdtempSync(join(tmpdir(), 'downpour-heat-upload-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const contents: Record<string, string> = {
    'rfx-web-disk': 'the web server disk\n',
    'rfx-boot': 'the boot volume\n',
    'rfx-data': 'the data volume\n',
  };
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const sha512 = (s: string) => createHash('sha512').update(s).digest('hex');

  const model = variant((f) => {
    for (const node of f.graph.nodes) {
      const content = node.name ? contents[node.name] : undefined;
      if (!content || !node.dataInfo) continue;
      const hex = sha256(content);
      node.dataInfo = { ...node.dataInfo, sha256: hex, size: content.length };
      f.manifests[node.key] = {
        ...(f.manifests[node.key] as Fixture['manifests'][string]),
        size: content.length,
        sha256: hex,
        chunks: [{ digest: `sha256:${hex}`, size: content.length }],
      };
    }
  });
  const bundle = join(root, 'bundle');
  mkdirSync(join(bundle, 'blobs', 'sha256'), { recursive: true });
  for (const c of Object.values(contents)) writeFileSync(join(bundle, 'blobs', 'sha256', sha256(c)), c);

  const stub = join(root, 'bin');
  mkdirSync(stub);
  writeFileSync(
    join(stub, 'openstack'),
    [
      '#!/bin/sh',
      'echo "$*" >>"$GLANCE/calls"',
      'case "$1 $2" in',
      '"image list") cat "$GLANCE/list" ;;',
      '"image show") cat "$GLANCE/show-$3" ;;',
      '"image delete") ;;',
      '"image create")',
      '  while [ $# -gt 0 ]; do [ "$1" != --file ] || file=$2; shift; done',
      '  echo "img_id=\\"new-$(wc -l <"$GLANCE/calls" | tr -d " ")\\""',
      '  echo "img_status=\\"active\\""',
      '  echo "img_checksum=\\"$(md5sum "$file" | cut -d" " -f1)\\""',
      '  ;;',
      '*) echo "unexpected: $*" >&2; exit 2 ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );

  /** Glance as the stand-in shows it: `ID NAME` list lines, and `image show -f shell` text by id. */
  async function upload(name: string, glance: { list: string[]; shows: Record<string, string[]> }) {
    const out = join(root, name);
    await writeRendered(renderHeat(model), out);
    const state = join(root, `${name}-glance`);
    mkdirSync(state);
    writeFileSync(join(state, 'list'), glance.list.map((l) => `${l}\n`).join(''));
    writeFileSync(join(state, 'calls'), '');
    for (const [id, lines] of Object.entries(glance.shows))
      writeFileSync(join(state, `show-${id}`), lines.map((l) => `${l}\n`).join(''));
    const r = spawnSync('sh', [join(out, 'upload-data.sh'), bundle], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${stub}:${process.env['PATH'] ?? ''}`, GLANCE: state },
    });
    const calls = readFileSync(join(state, 'calls'), 'utf8').trim().split('\n').filter(Boolean);
    return { ...r, calls, out };
  }

  it('rebuilds every file from the bundle and uploads it under the name the environment gives the template', async () => {
    const r = await upload('fresh', { list: [], shows: {} });
    expect(r.status, r.stderr).toBe(0);
    // Uploads run two at a time: in any order.
    const creates = r.calls.filter((c) => c.startsWith('image create')).sort();
    expect(creates).toEqual([
      `image create --file ${r.out}/data/image_rfx_web_disk.raw --disk-format raw --container-format bare --min-disk 1 --min-ram 0 --private --tag downpour:heat-upload=${model.bundleId} --property dp_role=shop --property hw_disk_bus=virtio --property os_distro=debian --property os_version=12 -f shell --prefix img_ rfx-web-disk`,
      expect.stringMatching(
        /--file \S+\/data\/volume_rfx_boot\.qcow2 --disk-format qcow2 .* rfx-boot-volume-data$/,
      ),
      expect.stringMatching(
        /--file \S+\/data\/volume_rfx_data\.qcow2 --disk-format qcow2 .* rfx-data-volume-data$/,
      ),
    ]);
    expect(readFileSync(join(r.out, 'data', 'volume_rfx_data.qcow2'), 'utf8')).toBe(contents['rfx-data']);
    const env = yaml11<{ parameters: Record<string, string> }>(
      readFileSync(join(r.out, 'environment.yaml'), 'utf8'),
    );
    for (const name of ['rfx-web-disk', 'rfx-boot-volume-data', 'rfx-data-volume-data'])
      expect(Object.values(env.parameters)).toContain(name);
    expect(r.stdout.match(/: uploaded as new-/g)).toHaveLength(3);
  });

  it('keeps an image that holds the same bytes, by MD5 or by the os_hash inside its properties', async () => {
    const r = await upload('rerun', {
      list: [
        'id-web rfx-web-disk',
        'id-boot rfx-boot-volume-data',
        'id-data rfx-data-volume-data',
        'other some-image',
      ],
      shows: {
        'id-web': ['img_status="active"', `img_checksum="${md5(contents['rfx-web-disk'] ?? '')}"`],
        'id-boot': ['img_status="active"', `img_checksum="${md5(contents['rfx-boot'] ?? '')}"`],
        'id-data': [
          'img_checksum="None"',
          `img_properties="{'os_hidden': False, 'os_hash_algo': 'sha512', 'os_hash_value': '${sha512(contents['rfx-data'] ?? '')}'}"`,
          'img_status="active"',
        ],
      },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls.filter((c) => !c.startsWith('image list') && !c.startsWith('image show'))).toEqual([]);
    expect(r.stdout.match(/: already uploaded as id-/g)).toHaveLength(3);
  });

  it('deletes an image its own earlier run left unfinished, and uploads again', async () => {
    const r = await upload('broken', {
      list: ['id-web rfx-web-disk'],
      shows: {
        'id-web': [
          'img_status="queued"',
          'img_checksum="None"',
          `img_tags="['downpour:heat-upload=${model.bundleId}']"`,
        ],
      },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls).toContain('image delete id-web');
    expect(r.calls.filter((c) => c.startsWith('image create'))).toHaveLength(3);
  });

  it('leaves alone an unfinished image that an import of the same bundle is uploading', async () => {
    const r = await upload('importing', {
      list: ['id-web rfx-web-disk'],
      shows: {
        'id-web': [
          'img_status="saving"',
          `img_tags="['downpour:bundle=${model.bundleId}', 'downpour:src=server-disk:x']"`,
        ],
      },
    });
    expect(r.status).toBe(1);
    expect(r.calls).not.toContain('image delete id-web');
    expect(r.stderr).toContain('rfx-web-disk: image id-web has this name too (saving)');
  });

  it('refuses to go on when another image has the same name: the template names images by name', async () => {
    const r = await upload('clash', {
      list: ['id-web rfx-web-disk'],
      shows: { 'id-web': ['img_status="active"', `img_checksum="${md5('other bytes')}"`, 'img_tags="[]"'] },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('rfx-web-disk: image id-web has this name too (active)');
    expect(r.stderr).toContain('Not every image is in Glance');
    // The other images are uploaded; nothing of that name is created or deleted.
    const changes = r.calls.filter((c) => c.startsWith('image create') || c.startsWith('image delete'));
    expect(changes).toHaveLength(2);
    expect(changes.some((c) => c.endsWith(' rfx-web-disk') || c.includes('id-web'))).toBe(false);
  });
});
