/**
 * Ansible as this machine has it: Debian's `ansible` package, whose openstack.cloud 1.10 refuses
 * Debian's openstacksdk 0.101 ("Incompatible openstacksdk library found"). The bench copies the
 * collection into its work folder and lifts the version cap there (MAXIMUM_SDK_VERSION = None);
 * the system copy is never touched and the patched copy is deleted with the work folder.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ANSIBLE_PLAYBOOK = '/usr/bin/ansible-playbook';
const SYSTEM_COLLECTION = '/usr/lib/python3/dist-packages/ansible_collections/openstack/cloud';
const CAP = /^MAXIMUM_SDK_VERSION = .*$/m;

export interface Ansible {
  argv: (playbook: string) => string[];
  env: NodeJS.ProcessEnv;
  /** Versions and the patch, for the report. */
  description: string;
}

export type AnsibleSetup = { ready: true; ansible: Ansible } | { ready: false; reason: string };

function version(argv: string[]): string | undefined {
  try {
    return execFileSync(argv[0] as string, argv.slice(1), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')[0];
  } catch {
    return undefined;
  }
}

export function prepareAnsible(workDir: string, env: NodeJS.ProcessEnv): AnsibleSetup {
  if (!existsSync(ANSIBLE_PLAYBOOK))
    return { ready: false, reason: 'ansible-playbook is not installed (Debian: apt-get install ansible)' };
  if (!existsSync(SYSTEM_COLLECTION))
    return { ready: false, reason: `the openstack.cloud collection is not at ${SYSTEM_COLLECTION}` };
  const root = join(workDir, 'ansible');
  const copy = join(root, 'collections', 'ansible_collections', 'openstack', 'cloud');
  mkdirSync(join(root, 'tmp'), { recursive: true });
  cpSync(SYSTEM_COLLECTION, copy, { recursive: true });
  const utils = join(copy, 'plugins', 'module_utils', 'openstack.py');
  const source = readFileSync(utils, 'utf8');
  const cap = CAP.exec(source)?.[0];
  if (!cap) return { ready: false, reason: `no MAXIMUM_SDK_VERSION line to lift in ${utils}` };
  writeFileSync(utils, source.replace(CAP, 'MAXIMUM_SDK_VERSION = None'));

  const manifest = JSON.parse(readFileSync(join(copy, 'MANIFEST.json'), 'utf8')) as {
    collection_info?: { version?: string };
  };
  const core = version([ANSIBLE_PLAYBOOK, '--version']) ?? 'ansible-playbook (version unknown)';
  const sdk =
    version(['/usr/bin/python3', '-c', 'import importlib.metadata as m; print(m.version("openstacksdk"))']) ??
    'unknown';
  return {
    ready: true,
    ansible: {
      argv: (playbook) => [ANSIBLE_PLAYBOOK, '-i', 'localhost,', '-c', 'local', playbook],
      env: {
        ...env,
        ANSIBLE_COLLECTIONS_PATH: join(root, 'collections'),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH: 'False',
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_LOCALHOST_WARNING: 'False',
        ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_HOME: root,
        ANSIBLE_LOCAL_TEMP: join(root, 'tmp'),
      },
      description:
        `${core.replace(/^ansible-playbook \[core ([^\]]+)\]/, 'ansible-core $1')}, openstack.cloud ` +
        `${manifest.collection_info?.version ?? '?'} (a temporary copy with its openstacksdk cap lifted: ` +
        `"${cap}" -> "MAXIMUM_SDK_VERSION = None"), openstacksdk ${sdk}`,
    },
  };
}
