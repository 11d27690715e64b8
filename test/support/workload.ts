import { createHash, randomBytes } from 'node:crypto';
import * as volumes from '../../src/openstack/block-storage/volumes/index.js';
import * as flavors from '../../src/openstack/compute/flavors/index.js';
import * as keypairs from '../../src/openstack/compute/keypairs/index.js';
import * as serverGroups from '../../src/openstack/compute/server-groups/index.js';
import * as servers from '../../src/openstack/compute/servers/index.js';
import { bufferBody } from '../../src/openstack/http/client.js';
import { isNotFound } from '../../src/openstack/http/errors.js';
import * as images from '../../src/openstack/image/images/index.js';
import * as floatingIps from '../../src/openstack/network/floating-ips/index.js';
import * as networks from '../../src/openstack/network/networks/index.js';
import * as ports from '../../src/openstack/network/ports/index.js';
import * as routers from '../../src/openstack/network/routers/index.js';
import * as rules from '../../src/openstack/network/security-group-rules/index.js';
import * as securityGroups from '../../src/openstack/network/security-groups/index.js';
import * as subnets from '../../src/openstack/network/subnets/index.js';
import type { Session } from '../../src/openstack/session/session.js';

/**
 * The sample workload of the export and import tests (and of the README demo), built in one
 * project with Downpour's own wire client. Everything it creates is named `<prefix>-…` (floating
 * IPs, which have no name, carry the prefix as description), so `deleteWorkload` can find and
 * remove all of it by name, after a partial build or from another process.
 *
 *   front net/subnet ─┐                 ┌─ back net/subnet
 *                     └── router (gateway on "public", static route) ──┘
 *   web server: boots from the image; ports on front (with a floating IP) and back; data volume
 *               attached; in the server group; keypair; tag app=shop
 *   db server:  boots from a volume made from the image; port on back; keypair; tag app=shop
 *   web and db security groups, whose rules reference each other
 *   other server: its own network and port, boots from dp-base, tag app=other (never exported)
 */
export interface WorkloadOptions {
  /** Unique per run, e.g. `dp-ex-1a2b3c4d`; every name starts with `<prefix>-`. */
  prefix: string;
  /** MiB of random bytes in the image (default 8). */
  imageMiB?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** What the cloud provides, which differs between clouds (defaults: the first local cloud's). */
  externalNetwork?: string;
  flavor?: string;
  baseImage?: string;
  /**
   * Also a detached volume `<prefix>-plain` made from an image with no properties of its own
   * (removed once the volume is made), which Cinder 2024.1 and later cannot upload as it is.
   */
  plainVolume?: boolean;
}

export interface Workload {
  prefix: string;
  projectId: string;
  /** The bytes uploaded into the image, and their SHA-256. */
  imageData: Buffer;
  imageSha256: string;
  /** Looked up, not created. */
  external: { networkId: string; flavorName: string; flavorId: string; baseImageId: string };
  networks: { front: string; back: string };
  subnets: { front: string; back: string };
  router: string;
  ports: { webFront: string; webBack: string; db: string };
  securityGroups: { web: string; db: string };
  floatingIp: string;
  keypair: string;
  serverGroup: string;
  image: string;
  volumes: { data: string; boot: string };
  servers: { web: string; db: string };
  /** The unrelated server and what it alone uses. */
  other: { network: string; subnet: string; port: string; server: string };
  /** The detached volume of `plainVolume`. */
  plainVolume: string | undefined;
  cleanup(): Promise<void>;
}

/** Imported, never generated: a keypair's public half is all the cloud keeps. */
export const SAMPLE_PUBLIC_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPbY6oUTU2FtRm/SwoyxtFF3TvPPjYilOgSZliJPAZe1 downpour-sample-workload';

export const SHOP_TAG = 'app=shop';
export const OTHER_TAG = 'app=other';
const FLAVOR = 'm1.tiny';
const BASE_IMAGE = 'dp-base';
const EXTERNAL_NETWORK = 'public';
const wait = { timeoutMs: 300_000, intervalMs: 500, maxIntervalMs: 2_000 };

async function first<T>(items: AsyncIterable<T>, what: string): Promise<T> {
  for await (const item of items) return item;
  throw new Error(`the sample workload needs ${what}, which the cloud does not have`);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Build the workload; on failure, remove what was made and rethrow. */
export async function buildWorkload(session: Session, options: WorkloadOptions): Promise<Workload> {
  const { prefix } = options;
  const log = options.log ?? (() => undefined);
  const name = (what: string) => `${prefix}-${what}`;
  const externalName = options.externalNetwork ?? EXTERNAL_NETWORK;
  const flavorName = options.flavor ?? FLAVOR;
  const baseName = options.baseImage ?? BASE_IMAGE;
  try {
    const [pub, flavor, base] = await Promise.all([
      first(
        networks.list(session, { name: externalName, 'router:external': true }),
        `the external network "${externalName}"`,
      ),
      (async () => {
        const found = (await collect(flavors.list(session))).find((f) => f.name === flavorName);
        if (!found) throw new Error(`the sample workload needs flavor ${flavorName}`);
        return found;
      })(),
      first(images.list(session, { name: baseName }), `the public image ${baseName}`),
    ]);

    // The image first: its upload and the volumes made from it are the slow part.
    const imageData = randomBytes((options.imageMiB ?? 8) * 1024 * 1024);
    const image = await images.create(session, {
      name: name('image'),
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
      min_disk: 1,
      properties: { os_distro: 'debian', os_version: '12', dp_role: 'shop', hw_disk_bus: 'virtio' },
    });
    log(`image ${image.id}: uploading ${imageData.length} bytes`);
    await images.upload(session, image.id, bufferBody(imageData), { size: imageData.length });
    await images.waitForImageStatus(session, image.id, 'active', wait);
    const [dataVolume, bootVolume] = await Promise.all(
      ['data', 'boot'].map((what) =>
        volumes.create(session, { size: 1, name: name(what), imageRef: image.id, metadata: { role: what } }),
      ),
    );
    if (!dataVolume || !bootVolume) throw new Error('volume create returned nothing');

    let plainVolume: string | undefined;
    if (options.plainVolume) {
      const plainData = randomBytes(1024 * 1024);
      const plainImage = await images.create(session, {
        name: name('plain-image'),
        disk_format: 'raw',
        container_format: 'bare',
        visibility: 'private',
      });
      await images.upload(session, plainImage.id, bufferBody(plainData), { size: plainData.length });
      await images.waitForImageStatus(session, plainImage.id, 'active', wait);
      const plain = await volumes.create(session, { size: 1, name: name('plain'), imageRef: plainImage.id });
      await volumes.waitForVolumeStatus(session, plain.id, 'available', wait);
      await images.remove(session, plainImage.id);
      plainVolume = plain.id;
    }

    const key = await keypairs.create(session, {
      name: name('key'),
      public_key: SAMPLE_PUBLIC_KEY,
      type: 'ssh',
    });
    const group = await serverGroups.create(session, { name: name('group'), policy: 'soft-anti-affinity' });

    const web = await securityGroups.create(session, { name: name('web'), description: 'web tier' });
    const db = await securityGroups.create(session, { name: name('db'), description: 'database tier' });
    for (const rule of [
      {
        security_group_id: web.id,
        protocol: 'tcp',
        port_range_min: 443,
        port_range_max: 443,
        remote_ip_prefix: '0.0.0.0/0',
      },
      {
        security_group_id: web.id,
        protocol: 'tcp',
        port_range_min: 9100,
        port_range_max: 9100,
        remote_group_id: db.id,
      },
      {
        security_group_id: db.id,
        protocol: 'tcp',
        port_range_min: 5432,
        port_range_max: 5432,
        remote_group_id: web.id,
      },
      { security_group_id: db.id, protocol: 'icmp', remote_group_id: web.id },
    ]) {
      await rules.create(session, { direction: 'ingress', ethertype: 'IPv4', ...rule });
    }

    const makeNet = async (what: string, third: number) => {
      const net = await networks.create(session, { name: name(what), description: `${what} network` });
      const subnet = await subnets.create(session, {
        network_id: net.id,
        name: name(`${what}-subnet`),
        ip_version: 4,
        cidr: `10.61.${third}.0/24`,
        gateway_ip: `10.61.${third}.1`,
        allocation_pools: [{ start: `10.61.${third}.100`, end: `10.61.${third}.199` }],
        dns_nameservers: ['192.0.2.53', '192.0.2.54'],
        host_routes: [{ destination: '198.18.0.0/15', nexthop: `10.61.${third}.254` }],
      });
      return { net: net.id, subnet: subnet.id };
    };
    const front = await makeNet('front', 1);
    const back = await makeNet('back', 2);
    const other = await makeNet('other', 9);

    const router = await routers.create(session, {
      name: name('router'),
      external_gateway_info: { network_id: pub.id },
    });
    await routers.addInterface(session, router.id, { subnet_id: front.subnet });
    await routers.addInterface(session, router.id, { subnet_id: back.subnet });
    await routers.update(session, router.id, {
      routes: [{ destination: '203.0.113.0/24', nexthop: '10.61.2.250' }],
    });

    const port = async (what: string, net: { net: string; subnet: string }, ip: string, groups: string[]) =>
      (
        await ports.create(session, {
          network_id: net.net,
          name: name(what),
          fixed_ips: [{ subnet_id: net.subnet, ip_address: ip }],
          security_groups: groups,
        })
      ).id;
    const webFront = await port('web-front', front, '10.61.1.10', [web.id]);
    const webBack = await port('web-back', back, '10.61.2.10', [web.id]);
    const dbPort = await port('db-port', back, '10.61.2.20', [db.id]);
    const otherPort = await port('other-port', other, '10.61.9.10', [db.id]);
    const fip = await floatingIps.create(session, {
      floating_network_id: pub.id,
      port_id: webFront,
      description: prefix,
    });

    for (const v of [dataVolume, bootVolume])
      await volumes.waitForVolumeStatus(session, v.id, 'available', wait);
    // Made from the image, so it holds the image's bytes; it is data, not a boot disk.
    await volumes.setBootable(session, dataVolume.id, false);

    const webServer = await servers.create(
      session,
      {
        name: name('web'),
        flavorRef: flavor.id,
        imageRef: image.id,
        networks: [{ port: webFront }, { port: webBack }],
        key_name: key.name,
        metadata: { role: 'web' },
        tags: [SHOP_TAG],
      },
      { schedulerHints: { group: group.id } },
    );
    const dbServer = await servers.create(session, {
      name: name('db'),
      flavorRef: flavor.id,
      networks: [{ port: dbPort }],
      key_name: key.name,
      metadata: { role: 'db' },
      tags: [SHOP_TAG],
      block_device_mapping_v2: [
        {
          boot_index: 0,
          uuid: bootVolume.id,
          source_type: 'volume',
          destination_type: 'volume',
          delete_on_termination: false,
        },
      ],
    });
    const otherServer = await servers.create(session, {
      name: name('other'),
      flavorRef: flavor.id,
      imageRef: base.id,
      networks: [{ port: otherPort }],
      tags: [OTHER_TAG],
    });
    for (const s of [webServer, dbServer, otherServer])
      await servers.waitForServerStatus(session, s.id, 'ACTIVE', wait);
    await servers.attachVolume(session, webServer.id, { volumeId: dataVolume.id });
    await volumes.waitForVolumeStatus(session, dataVolume.id, 'in-use', wait);
    log(`servers ${webServer.id} (web), ${dbServer.id} (db), ${otherServer.id} (other) are ACTIVE`);

    return {
      prefix,
      projectId: session.project.id,
      imageData,
      imageSha256: createHash('sha256').update(imageData).digest('hex'),
      external: { networkId: pub.id, flavorName, flavorId: flavor.id, baseImageId: base.id },
      networks: { front: front.net, back: back.net },
      subnets: { front: front.subnet, back: back.subnet },
      router: router.id,
      ports: { webFront, webBack, db: dbPort },
      securityGroups: { web: web.id, db: db.id },
      floatingIp: fip.id,
      keypair: key.name,
      serverGroup: group.id,
      image: image.id,
      volumes: { data: dataVolume.id, boot: bootVolume.id },
      servers: { web: webServer.id, db: dbServer.id },
      other: { network: other.net, subnet: other.subnet, port: otherPort, server: otherServer.id },
      plainVolume,
      cleanup: () => deleteWorkload(session, prefix, log),
    };
  } catch (err) {
    log(`building the workload failed (${(err as Error).message}); removing what was made`);
    await deleteWorkload(session, prefix, log).catch((cleanupErr: unknown) =>
      log(`cleanup after the failed build also failed: ${(cleanupErr as Error).message}`),
    );
    throw err;
  }
}

/**
 * Delete everything named `<prefix>-…` in the project, in an order the cloud accepts. Safe to
 * run on a partial workload, twice, or on nothing; it throws at the end, naming what it could
 * not delete.
 */
export async function deleteWorkload(
  session: Session,
  prefix: string,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const mine = (n: string | null | undefined) => Boolean(n?.startsWith(`${prefix}-`));
  const failures: string[] = [];
  const attempt = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
      log(`deleted ${what}`);
    } catch (err) {
      if (!isNotFound(err)) failures.push(`${what}: ${(err as Error).message}`);
    }
  };
  const all = <T>(items: T[], run: (item: T) => Promise<void>) => Promise.all(items.map(run));

  const serverList = (await collect(servers.list(session))).filter((s) => mine(s.name));
  await all(serverList, (s) =>
    attempt(`server ${s.name}`, async () => {
      await servers.remove(session, s.id);
      await servers.waitForServerDeleted(session, s.id, wait);
    }),
  );
  const fips = (await collect(floatingIps.list(session))).filter((f) => f.description === prefix);
  await all(fips, (f) =>
    attempt(`floating IP ${f.floating_ip_address}`, () => floatingIps.remove(session, f.id)),
  );

  const routerList = (await collect(routers.list(session))).filter((r) => mine(r.name));
  for (const r of routerList) {
    // A static route pins the interface its next hop is on.
    if (r.routes?.length)
      await attempt(`routes of router ${r.name}`, () => routers.update(session, r.id, { routes: [] }));
    for (const p of await collect(ports.list(session, { device_id: r.id }))) {
      if (!p.device_owner.startsWith('network:router_interface')) continue;
      await attempt(`interface ${p.id} of router ${r.name}`, () =>
        routers.removeInterface(session, r.id, { port_id: p.id }),
      );
    }
    await attempt(`router ${r.name}`, () => routers.remove(session, r.id));
  }
  const portList = (await collect(ports.list(session))).filter((p) => mine(p.name));
  await all(portList, (p) => attempt(`port ${p.name}`, () => ports.remove(session, p.id)));
  const subnetList = (await collect(subnets.list(session))).filter((s) => mine(s.name));
  await all(subnetList, (s) => attempt(`subnet ${s.name}`, () => subnets.remove(session, s.id)));
  const networkList = (await collect(networks.list(session))).filter((n) => mine(n.name));
  await all(networkList, (n) => attempt(`network ${n.name}`, () => networks.remove(session, n.id)));
  // Rules referencing another group hold it: drop those rules first.
  const groupList = (await collect(securityGroups.list(session))).filter((g) => mine(g.name));
  for (const g of groupList) {
    for (const rule of g.security_group_rules ?? []) {
      if (rule.remote_group_id) await attempt(`rule ${rule.id}`, () => rules.remove(session, rule.id));
    }
  }
  await all(groupList, (g) =>
    attempt(`security group ${g.name}`, () => securityGroups.remove(session, g.id)),
  );

  for (const k of (await collect(keypairs.list(session))).filter((k) => mine(k.name))) {
    await attempt(`keypair ${k.name}`, () => keypairs.remove(session, k.name));
  }
  for (const g of (await collect(serverGroups.list(session))).filter((g) => mine(g.name))) {
    await attempt(`server group ${g.name}`, () => serverGroups.remove(session, g.id));
  }
  const volumeList = (await collect(volumes.list(session))).filter((v) => mine(v.name));
  await all(volumeList, (v) =>
    attempt(`volume ${v.name}`, async () => {
      // A volume still detaching from a deleted server, or still being made, cannot go yet.
      if (!['available', 'error'].includes(v.status)) {
        await volumes.waitForVolumeStatus(session, v.id, ['available', 'error'], wait);
      }
      await volumes.remove(session, v.id, { cascade: true });
      await volumes.waitForVolumeDeleted(session, v.id, wait);
    }),
  );
  const imageList = (await collect(images.list(session, { owner: session.project.id }))).filter((i) =>
    mine(i.name),
  );
  await all(imageList, (i) => attempt(`image ${i.name}`, () => images.remove(session, i.id)));
  if (failures.length) throw new Error(`could not delete all of workload ${prefix}:\n${failures.join('\n')}`);
}
