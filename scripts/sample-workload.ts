/**
 * Build or remove the sample workload (test/support/workload.ts) in a tenant, for the README demo:
 *
 *   npx tsx scripts/sample-workload.ts create --prefix shop [--image-mib 8] [--cloud src]
 *       [--external-network public] [--flavor m1.tiny] [--base-image dp-base] [--plain-volume] [--json]
 *   npx tsx scripts/sample-workload.ts delete --prefix shop [--cloud src]
 *
 * The defaults are the first local cloud's; the second has ext-net, gp.small and base-image.
 * --json prints the workload's ids as one JSON document on stdout (for tests).
 * The cloud comes from clouds.yaml as for downpour itself (OS_CLIENT_CONFIG_FILE, ...).
 */
import { parseArgs } from 'node:util';
import { loadCloudConfig } from '../src/openstack/config/loader.js';
import { Session } from '../src/openstack/session/session.js';
import { buildWorkload, deleteWorkload, SHOP_TAG } from '../test/support/workload.js';

const USAGE =
  'usage: sample-workload.ts create|delete --prefix P [--image-mib N] [--cloud NAME] [--external-network N] [--flavor F] [--base-image I] [--plain-volume] [--json]';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      prefix: { type: 'string' },
      'image-mib': { type: 'string', default: '8' },
      cloud: { type: 'string', default: 'src' },
      'external-network': { type: 'string' },
      flavor: { type: 'string' },
      'base-image': { type: 'string' },
      'plain-volume': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [action] = positionals;
  const prefix = values.prefix;
  const imageMiB = Number(values['image-mib']);
  if (
    (action !== 'create' && action !== 'delete') ||
    !prefix ||
    !Number.isInteger(imageMiB) ||
    imageMiB < 1
  ) {
    console.error(USAGE);
    return 2;
  }
  const log = (line: string) => console.error(`  ${line}`);
  const session = await Session.connect(loadCloudConfig({ cloud: values.cloud }));
  try {
    if (action === 'delete') {
      await deleteWorkload(session, prefix, log);
      console.log(`deleted workload ${prefix} from project ${session.project.name}`);
      return 0;
    }
    const w = await buildWorkload(session, {
      prefix,
      imageMiB,
      log,
      plainVolume: values['plain-volume'],
      ...(values['external-network'] ? { externalNetwork: values['external-network'] } : {}),
      ...(values.flavor ? { flavor: values.flavor } : {}),
      ...(values['base-image'] ? { baseImage: values['base-image'] } : {}),
    });
    if (values.json) {
      const ids = Object.fromEntries(
        Object.entries(w).filter(([k, v]) => k !== 'imageData' && typeof v !== 'function'),
      );
      console.log(JSON.stringify({ ...ids, imageBytes: w.imageData.length }));
      return 0;
    }
    const rows: [string, string][] = [
      ['web server (boots from image, tag app=shop)', w.servers.web],
      ['db server (boots from volume, tag app=shop)', w.servers.db],
      ['other server (tag app=other, not exported)', w.other.server],
      ['networks front, back', `${w.networks.front} ${w.networks.back}`],
      ['subnets front, back', `${w.subnets.front} ${w.subnets.back}`],
      ['router', w.router],
      ['ports web-front, web-back, db', `${w.ports.webFront} ${w.ports.webBack} ${w.ports.db}`],
      ['floating IP (on web-front)', w.floatingIp],
      ['security groups web, db', `${w.securityGroups.web} ${w.securityGroups.db}`],
      ['keypair', w.keypair],
      ['server group (soft-anti-affinity)', w.serverGroup],
      [`image (${w.imageData.length} bytes, sha256 ${w.imageSha256.slice(0, 16)}…)`, w.image],
      ['volumes data (attached to web), boot (of db)', `${w.volumes.data} ${w.volumes.boot}`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`workload ${prefix} in project ${session.project.name}:`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
    console.log(`\nNext: downpour select --cloud ${values.cloud} --tag ${SHOP_TAG} -o shop.yaml`);
    return 0;
  } finally {
    await session.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`sample-workload: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
