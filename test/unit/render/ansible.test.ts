import { describe, expect, it } from 'vitest';
import type { RenderModel } from '../../../src/render/model.js';
import { renderAnsible } from '../../../src/render/ansible.js';
import type { RenderedFile } from '../../../src/render/render.js';
import {
  ARGSPEC,
  argumentProblems,
  oldestReleaseFor,
  parseAnsibleYaml,
  referenceProblems,
  tasksOf,
  type ParsedTask,
  type UsedName,
} from './ansible-check.js';
import { containersModel, fixtureModel, loadRenderFixture } from './support.js';
import { everythingFixture, modelOf } from './ansible-variants.js';

interface Rendered {
  files: Map<string, string>;
  tasks: ParsedTask[];
  vars: Record<string, unknown>;
  requirements: { collections: { name: string; version: string }[] };
}

function render(model: RenderModel): Rendered {
  const files = new Map(renderAnsible(model).map((f: RenderedFile) => [f.path, f.content]));
  const get = (path: string) => {
    const text = files.get(path);
    if (text === undefined) throw new Error(`no ${path}`);
    return text;
  };
  return {
    files,
    tasks: tasksOf(parseAnsibleYaml(get('playbook.yml'))),
    vars: parseAnsibleYaml(get('vars.yml')) as Record<string, unknown>,
    requirements: parseAnsibleYaml(get('requirements.yml')) as Rendered['requirements'],
  };
}

const cases: [string, () => RenderModel][] = [
  ['the shop bundle', () => fixtureModel()],
  ['the shop bundle with every variant', () => modelOf(everythingFixture())],
  ['the shop bundle with containers', () => containersModel()],
];

const MODULE_OF: Record<string, string> = {
  'compute.keypair': 'openstack.cloud.keypair',
  'compute.server-group': 'openstack.cloud.server_group',
  'network.security-group': 'openstack.cloud.security_group',
  'network.network': 'openstack.cloud.network',
  'network.subnet': 'openstack.cloud.subnet',
  'network.router': 'openstack.cloud.router',
  'network.port': 'openstack.cloud.port',
  'image.image': 'openstack.cloud.image',
  'block-storage.volume': 'openstack.cloud.volume',
  'compute.server': 'openstack.cloud.server',
  'object-store.container': 'openstack.cloud.object_container',
};

describe.each(cases)('ansible playbook of %s', (_label, makeModel) => {
  it('uses only modules and arguments of the openstack.cloud 2.x argument specs, and asks for the oldest release that has them all', () => {
    const { tasks, requirements } = render(makeModel());
    const used: UsedName[] = [];
    expect(tasks.flatMap((t) => argumentProblems(t, used))).toEqual([]);
    expect(used.length).toBeGreaterThan(50);
    const { version, removed } = oldestReleaseFor(used);
    expect(removed).toEqual([]);
    expect(requirements.collections).toEqual([{ name: 'openstack.cloud', version: `>=${version},<3.0.0` }]);
    // Every openstack.cloud task talks to the cloud the user names.
    for (const t of tasks.filter((x) => x.module.startsWith('openstack.cloud.')))
      expect(t.args['cloud'], t.name).toBe('{{ cloud }}');
  });

  it('reads in every template only variables and the results of earlier tasks, under the keys their modules return', () => {
    const { tasks, vars } = render(makeModel());
    expect(referenceProblems(tasks, new Set(Object.keys(vars)))).toEqual([]);
    const registers = tasks.flatMap((t) => (t.register ? [t.register] : []));
    expect(new Set(registers).size).toBe(registers.length);
  });

  it('has a task for every resource, commented with the source resource, and maps every source id in ids.json', () => {
    const model = makeModel();
    const { files, tasks } = render(model);
    const playbook = files.get('playbook.yml') ?? '';
    const ids = tasks.at(-1);
    expect(ids?.module).toBe('ansible.builtin.copy');
    expect(ids?.tags).toEqual(['always']);
    const idMap = ids?.vars?.['downpour_ids'] as Record<string, string>;
    for (const r of model.resources) {
      expect(playbook, r.key).toContain(`# ${r.comment}\n`);
      const module = MODULE_OF[r.kind];
      if (module) {
        const named = tasks.filter((t) => t.module === module && t.register);
        expect(named.length, r.key).toBeGreaterThan(0);
      }
      if (r.kind === 'network.security-group-rules') {
        const count = (r.doc['rules'] as { remote_address_group_id?: string | null }[]).filter(
          (x) => !x.remote_address_group_id,
        ).length;
        const ruleTasks = tasks.filter(
          (t) =>
            t.module === 'openstack.cloud.security_group_rule' &&
            String(t.args['security_group']).includes(
              model.resources.find((g) => g.kind === 'network.security-group' && g.sourceId === r.sourceId)
                ?.symbol ?? '?',
            ),
        );
        expect(ruleTasks.length, r.key).toBe(count);
      } else {
        expect(idMap[r.sourceId], r.key).toMatch(
          /^\{\{ [a-z0-9_]+\.[a-z_]+(\.[a-z_]+)+ \| default\(''\) \}\}$/,
        );
      }
    }
    expect(Object.keys(idMap).length).toBe(
      model.resources.filter((r) => r.kind !== 'network.security-group-rules').length,
    );
    // Every named resource is created under its name.
    const names = new Set(tasks.map((t) => t.args['name']));
    for (const r of model.resources.filter(
      (x) => MODULE_OF[x.kind] && x.name && x.doc['is_default'] !== true,
    ))
      expect(names.has(r.name) || [...names].some((n) => String(n).startsWith(`${r.name}-`)), r.key).toBe(
        true,
      );
  });

  it('renders the same bytes twice, whatever the order of the nodes in the bundle', () => {
    const model = makeModel();
    const once = renderAnsible(model);
    expect(renderAnsible(model)).toEqual(once);
    expect(renderAnsible(makeModel())).toEqual(once);
    if (_label === 'the shop bundle') {
      const f = loadRenderFixture();
      f.graph.nodes.reverse();
      expect(renderAnsible(modelOf(f))).toEqual(once);
    }
  });
});

describe('ansible playbook', () => {
  it('writes the playbook, its variables, the collection requirement, the README and the data script', () => {
    const files = renderAnsible(fixtureModel());
    expect(files.map((f) => f.path).sort()).toEqual([
      'README.md',
      'data/assemble.sh',
      'playbook.yml',
      'requirements.yml',
      'vars.yml',
    ]);
    expect(files.find((f) => f.path === 'data/assemble.sh')?.mode).toBe(0o755);
  });

  it('puts the cloud, the bundle and every input with its default in vars.yml; map.yaml sets defaults', () => {
    const model = fixtureModel({ flavors: { 'm1.tiny': 'ds.nano' } });
    const { vars } = render(model);
    expect(vars).toMatchObject({
      cloud: '',
      bundle: '',
      flavor_m1_tiny: 'ds.nano',
      network_public: 'public',
    });
    expect(Object.keys(vars).sort()).toEqual(
      ['bundle', 'cloud', ...model.inputs.map((i) => i.symbol)].sort(),
    );
  });

  it('rebuilds the data first, skipped once the last file is there, and uploads images from data/', () => {
    const { tasks } = render(fixtureModel());
    const assemble = tasks.findIndex((t) => t.module === 'ansible.builtin.command');
    const firstImage = tasks.findIndex((t) => t.module === 'openstack.cloud.image');
    expect(assemble).toBeGreaterThan(-1);
    expect(assemble).toBeLessThan(firstImage);
    const model = fixtureModel();
    const last = model.resources.filter((r) => r.data).at(-1)?.data?.file;
    expect(tasks[assemble]?.args).toEqual({
      argv: ['sh', '{{ playbook_dir }}/data/assemble.sh', '{{ bundle }}'],
      creates: `{{ playbook_dir }}/data/${last}`,
    });
    for (const t of tasks.filter((x) => x.module === 'openstack.cloud.image' && x.args['state'] !== 'absent'))
      expect(t.args['filename']).toMatch(/^\{\{ playbook_dir \}\}\/data\/[a-z0-9_]+\.(raw|qcow2)$/);
  });

  it('creates a volume from a staging image uploaded only when the volume is not there yet, then removes the image', () => {
    const { tasks } = render(fixtureModel());
    const i = tasks.findIndex((t) => t.name === 'volume rfx-boot: is it there already');
    expect(
      tasks.slice(i, i + 4).map((t) => [t.module, t.args['name'], t.args['state'] ?? t.when ?? null]),
    ).toEqual([
      ['openstack.cloud.volume_info', 'rfx-boot', null],
      ['openstack.cloud.image', 'rfx-boot-volume-data', 'volume_rfx_boot_found.volumes | length == 0'],
      ['openstack.cloud.volume', 'rfx-boot', null],
      ['openstack.cloud.image', 'rfx-boot-volume-data', 'absent'],
    ]);
    expect(tasks[i + 2]?.args['image']).toBe('rfx-boot-volume-data');
  });

  it('boots the db server from its volume, gives servers their ports, keypair, group and the groups their ports have', () => {
    const { tasks } = render(fixtureModel());
    const db = tasks.find((t) => t.name === 'server rfx-db')?.args;
    expect(db).toMatchObject({
      boot_volume: '{{ volume_rfx_boot.volume.id }}',
      nics: [{ 'port-id': '{{ port_rfx_db_port.port.id }}' }],
      key_name: '{{ keypair_rfx_key.keypair.name }}',
      flavor: '{{ flavor_m1_tiny }}',
      security_groups: ['{{ secgroup_rfx_db.security_group.id }}'],
      auto_ip: false,
      tags: ['app=shop'],
    });
    expect(db).not.toHaveProperty('image');
    const web = tasks.find((t) => t.name === 'server rfx-web')?.args;
    expect(web).toMatchObject({
      image: '{{ image_rfx_web_disk.image.id }}',
      scheduler_hints: { group: '{{ server_group_rfx_group.server_group.id }}' },
    });
    expect(tasks.find((t) => t.module === 'openstack.cloud.server_volume')?.args).toMatchObject({
      server: '{{ server_rfx_web.server.id }}',
      volume: '{{ volume_rfx_data.volume.id }}',
    });
  });

  it('keeps fixed IPs and MAC addresses on ports, and adds router interfaces by subnet or by address', () => {
    const { tasks } = render(fixtureModel());
    expect(tasks.find((t) => t.name === 'port rfx-db-port')?.args).toMatchObject({
      fixed_ips: [{ ip_address: '10.61.2.20', subnet_id: '{{ subnet_rfx_back_subnet.subnet.id }}' }],
      mac_address: 'fa:16:3e:32:8c:7b',
    });
    expect(tasks.find((t) => t.name === 'router rfx-router')?.args['interfaces']).toEqual([
      '{{ subnet_rfx_front_subnet.subnet.id }}',
      '{{ subnet_rfx_back_subnet.subnet.id }}',
    ]);
    const variant = render(modelOf(everythingFixture())).tasks;
    expect(variant.find((t) => t.name === 'router rfx-router')?.args['interfaces']).toEqual([
      expect.stringMatching(/^\{\{ subnet_rfx_front_subnet\.subnet\.id \}\}$/),
      {
        net: '{{ network_rfx_back.network.id }}',
        subnet: '{{ subnet_rfx_back_subnet.subnet.id }}',
        portip: '10.61.2.1',
      },
    ]);
  });

  it('handles the variants: default group, stopped server, renamed and unnamed objects, template-like text', () => {
    const model = modelOf(everythingFixture());
    const { tasks, files } = render(model);
    const playbook = files.get('playbook.yml') ?? '';
    expect(tasks.find((t) => t.register === 'secgroup_default')?.args).toEqual({
      cloud: '{{ cloud }}',
      name: 'default',
    });
    const server = tasks.findIndex((t) => t.name === 'server rfx-db');
    const stop = tasks.findIndex((t) => t.module === 'openstack.cloud.server_action');
    expect(stop).toBeGreaterThan(server);
    expect(tasks[stop]?.args).toMatchObject({ server: '{{ server_rfx_db.server.id }}', action: 'stop' });
    const portNames = tasks.filter((t) => t.module === 'openstack.cloud.port').map((t) => t.args['name']);
    expect(portNames).toEqual([
      'rfx-db-port',
      expect.stringMatching(/^rfx-db-port-[0-9a-f]{8}$/),
      'rfx-web-front',
    ]);
    expect(
      tasks.find((t) => t.module === 'openstack.cloud.network' && t.args['name'] !== 'rfx-back')?.args[
        'name'
      ],
    ).toMatch(/^network-[0-9a-f]{8}$/);
    expect(playbook).toContain('description: !unsafe "back {{ lookup(\\"pipe\\", \\"id\\") }}"');
    // The port with port security off names no groups, and the server does not add them back.
    expect(
      tasks.find((t) => t.args['name'] !== 'rfx-db-port' && String(t.args['name']).startsWith('rfx-db-port'))
        ?.args,
    ).not.toHaveProperty('security_groups');
    const readme = files.get('README.md') ?? '';
    expect(readme).toContain('x509');
    expect(readme).toContain('address group');
    expect(readme).toMatch(
      /rule ingress IPv4 any from group default: the security_group_rule module cannot tell it/,
    );
    expect(readme).toContain('It needs `openstack.cloud` 2.4.0 or later 2.x (for server tags)');
  });

  it('attaches a floating IP through its server, and one on a port no server uses through the resource module', () => {
    const plain = render(fixtureModel()).tasks;
    const fip = plain.findIndex((t) => t.module === 'openstack.cloud.floating_ip');
    expect(fip).toBeGreaterThan(plain.findIndex((t) => t.name === 'server rfx-web'));
    expect(plain[fip]?.args).toMatchObject({
      server: '{{ server_rfx_web.server.id }}',
      network: '{{ network_public }}',
      fixed_address: '10.61.1.10',
    });
    const variant = render(modelOf(everythingFixture())).tasks;
    expect(variant.some((t) => t.module === 'openstack.cloud.floating_ip')).toBe(false);
    const onPort = variant.find((t) => t.module === 'openstack.cloud.resource' && t.args['type'] === 'ip');
    expect(onPort?.args['attributes']).toEqual({
      floating_network_id: '{{ floating_ip_for_10_61_1_10_network.networks[0].id }}',
      port_id: '{{ port_rfx_web_front.port.id }}',
      fixed_ip_address: '10.61.1.10',
      description: 'rfx',
    });
  });

  it('creates a floating IP attached to no port through the resource module, and says how a rerun finds it', () => {
    const f = loadRenderFixture();
    const fip = Object.entries(f.documents).find(([k]) => k.startsWith('network.floating-ip:'))?.[1];
    if (!fip) throw new Error('no floating IP in the fixture');
    Object.assign(fip, { port_id: null, fixed_ip_address: null });
    const { tasks, vars, files } = render(modelOf(f));
    const used: UsedName[] = [];
    expect(tasks.flatMap((t) => argumentProblems(t, used))).toEqual([]);
    expect(referenceProblems(tasks, new Set(Object.keys(vars)))).toEqual([]);
    const made = tasks.find((t) => t.module === 'openstack.cloud.resource' && t.args['type'] === 'ip');
    expect(made?.args['attributes']).toEqual({
      floating_network_id:
        '{{ floating_ip_for_45bdda91_0b0a_4e2e_ad1e_3dabf85f1c5a_network.networks[0].id }}',
      description: 'rfx',
    });
    expect(files.get('README.md')).toContain(
      'it is attached to no port, so the resource module finds it again',
    );
  });

  it('creates Swift containers with their metadata and the ACL entries that name nobody, and lists what it leaves out', () => {
    const { tasks, files, requirements } = render(containersModel());
    const containers = tasks.filter((t) => t.module === 'openstack.cloud.object_container');
    expect(containers.map((t) => t.args['name'])).toEqual(['assets-archive', 'assets', 'logs']);
    expect(containers[1]).toMatchObject({
      register: 'container_assets',
      tags: ['container'],
      args: {
        cloud: '{{ cloud }}',
        name: 'assets',
        metadata: { 'web-index': 'index.html', 'quota-bytes': '1000000' },
        read_ACL: '.r:*,.rlistings',
      },
    });
    // Its only write ACL entry names the source project and user: no write_ACL is set.
    expect(containers[1]?.args).not.toHaveProperty('write_ACL');
    expect(containers[2]?.args).toEqual({ cloud: '{{ cloud }}', name: 'logs', read_ACL: '*:*' });
    const ids = tasks.at(-1)?.vars?.['downpour_ids'] as Record<string, string>;
    expect(ids['assets']).toBe("{{ container_assets.container.id | default('') }}");
    // object_container and every option used are in every 2.x release: the servers' tags set the oldest.
    expect(ARGSPEC.modules['object_container']?.since).toEqual({});
    expect(requirements.collections[0]?.version).toBe('>=2.4.0,<3.0.0');
    const readme = files.get('README.md') ?? '';
    const about = (name: string) => `\`object-store.container ${name} (source id ${name})\`: `;
    expect(readme).toContain('| `container` | containers | 3 |');
    expect(readme).toContain('- Containers are created empty: their objects are not in the playbook.');
    expect(readme).toContain(`${about('assets')}its storage policy gold is not set`);
    expect(readme).toContain(
      `${about('assets')}its legacy versioning (X-Versions-Location: assets-archive) is not set`,
    );
    expect(readme).toContain(
      `${about('assets')}its read ACL entries naming the source project or user (875456a5a0794e1081f6def9f38a7da3:*) are left out`,
    );
    expect(readme).toContain(
      `${about('assets')}its read ACL entries naming other projects or users of the source (4a1f0c3e9b7d4e2f8c6a5b3d1e0f9a8b:*) are left out`,
    );
    expect(readme).toContain(`${about('assets')}its write ACL entries naming the source project or user`);
    expect(readme).toContain(`${about('logs')}its object versioning (X-Versions-Enabled) is not turned on`);
    expect(readme).not.toContain(about('assets-archive'));
    expect(files.get('playbook.yml')).toContain(
      '# Created empty: its objects (3 objects, 2.0 KiB at the source) are not in the playbook (README.md).',
    );
  });

  it('the checks fail on a wrong module, argument, choice, reference or return key', () => {
    const { tasks, vars } = render(fixtureModel());
    const network = tasks.find((t) => t.module === 'openstack.cloud.network') as ParsedTask;
    const bad = (change: Partial<ParsedTask>) => argumentProblems({ ...network, ...change }, []);
    expect(bad({ module: 'openstack.cloud.netwrok' })).toHaveLength(1);
    expect(bad({ args: { ...network.args, colour: 'blue' } })).toEqual([
      expect.stringContaining('no option colour'),
    ]);
    expect(bad({ args: { ...network.args, mtu: 'big' } })).toEqual([
      expect.stringContaining('mtu is not a int'),
    ]);
    expect(bad({ args: { ...network.args, state: 'gone' } })).toEqual([
      expect.stringContaining('state=gone'),
    ]);
    expect(bad({ args: { cloud: '{{ cloud }}' } })).toEqual([
      expect.stringContaining('required option name'),
    ]);
    const port = tasks.find((t) => t.module === 'openstack.cloud.port') as ParsedTask;
    expect(
      argumentProblems({ ...port, args: { ...port.args, fixed_ips: [{ ip: '10.0.0.1' }] } }, []),
    ).toEqual([expect.stringContaining('fixed_ips.ip is neither documented nor read')]);
    const rename = (from: string, to: string) =>
      tasks.map((t) => JSON.parse(JSON.stringify(t).replaceAll(from, to)) as ParsedTask);
    const playVars = new Set(Object.keys(vars));
    expect(
      referenceProblems(rename('network_rfx_back.network.id', 'network_rfx_back.net.id'), playVars),
    ).not.toEqual([]);
    expect(referenceProblems(rename('flavor_m1_tiny', 'flavor_m1_huge'), playVars)).not.toEqual([]);
    // A result read before the task that registers it.
    const early = [...tasks];
    const i = early.findIndex((t) => t.register === 'server_rfx_web');
    const [server] = early.splice(i, 1);
    early.splice(2, 0, server as ParsedTask);
    expect(referenceProblems(early, playVars)).not.toEqual([]);
    expect(ARGSPEC.source.releases.map((r) => r.version)).toContain('2.0.0');
  });
});
