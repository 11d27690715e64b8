/**
 * What Downpour's own tests do with a rendered playbook, in one place: the integration test
 * runs exactly these tags, and every README says exactly this, so the two cannot drift apart.
 */

/** Tags the real run selects (test/integration/render-ansible.test.ts), and the one it skips. */
export const REAL_RUN_TAGS = ['data', 'keypair', 'security_group', 'network', 'subnet', 'router'] as const;
export const REAL_RUN_SKIP_TAGS = ['resource'] as const;

/** Modules the real run executed. */
const RUN = new Set([
  'ansible.builtin.assert',
  'ansible.builtin.command',
  'ansible.builtin.copy',
  'openstack.cloud.keypair',
  'openstack.cloud.security_group',
  'openstack.cloud.network',
  'openstack.cloud.subnet',
  'openstack.cloud.router',
]);

/** Why each other module was not run with the machine's collection (1.10). */
const NOT_RUN: Record<string, string> = {
  'openstack.cloud.security_group_rule':
    "reads its group's new id from the 2.x result key `security_group`; 1.10's security_group module returns the group as `secgroup`",
  'openstack.cloud.port':
    "reads the new security group ids from the 2.x result key `security_group`, which 1.10's security_group module does not return",
  'openstack.cloud.server_group': '1.10 takes `policies` (a list); 2.x takes `policy`',
  'openstack.cloud.image': "1.10 sends `protected` as the string 'False', which Glance's schema refuses",
  'openstack.cloud.volume_info': 'only used for volumes, which are not run',
  'openstack.cloud.volume':
    "1.10's volume module has no `availability_zone`; and a volume's data arrives through a staging image",
  'openstack.cloud.server':
    'needs the ports, images, volumes and server groups above, none of which 1.10 could create',
  'openstack.cloud.server_volume': 'needs the servers',
  'openstack.cloud.server_action': 'needs the servers',
  'openstack.cloud.floating_ip': 'needs the servers',
  'openstack.cloud.networks_info': 'only used for floating IPs, which are not run',
  'openstack.cloud.resource':
    '1.10 has no such module; the run skipped the tasks tagged `resource` (static routes, descriptions)',
};

export const ARGSPEC_SOURCE = {
  repository: 'https://github.com/openstack/ansible-collections-openstack',
  first: '2.0.0',
  last: '2.5.0',
};

/** The README section for a playbook that uses `modules`. */
export function proofSection(modules: string[]): string[] {
  const ran = modules.filter((m) => RUN.has(m));
  const notRun = modules.filter((m) => !RUN.has(m));
  return [
    "Downpour's own tests render a bundle exported from their sample workload (two servers, one",
    'booting from a volume, with all the kinds above) and check the result three ways. None of them',
    'ran the 2.x collection: the test machines (Debian 12) carry `openstack.cloud` 1.10, which',
    "refuses Debian's openstacksdk 0.101, and do not download collections.",
    '',
    `1. **Argument specs.** Every module and argument, nested options and choices included, is checked`,
    `   against the argument specs of \`openstack.cloud\` ${ARGSPEC_SOURCE.first} to ${ARGSPEC_SOURCE.last}, read from the collection's`,
    `   source (${ARGSPEC_SOURCE.repository}), and against the release each option`,
    '   first appeared in; every `{{ … }}` names a variable, or the result of an earlier task under the',
    '   key its module returns.',
    "2. **`ansible-playbook --syntax-check`** (Debian 12's ansible-core), with a stand-in",
    '   `openstack.cloud` collection that declares the 2.x module names and nothing else: syntax-check',
    "   resolves every module name, and Debian's 1.10 lacks `openstack.cloud.resource`.",
    "3. **A real run** against a local OpenStack (Zed) with Debian's collection 1.10, its openstacksdk",
    `   version check lifted: the tasks tagged ${REAL_RUN_TAGS.map((t) => `\`${t}\``).join(', ')}, skipping those tagged`,
    `   ${REAL_RUN_SKIP_TAGS.map((t) => `\`${t}\``).join(', ')}, run twice. The \`openstack\` CLI found the objects with the source's`,
    '   attributes, and the second run changed nothing.',
    '',
    `Run for real: ${ran.length ? ran.map((m) => `\`${m}\``).join(', ') : 'none of the modules this playbook uses'}.`,
    '',
    'Checked as in 1 and 2 only, never run:',
    '',
    ...notRun.map((m) => `- \`${m}\`: ${NOT_RUN[m] ?? 'not among the modules the test runs'}.`),
  ];
}
