import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as volumeZones from '../../src/openstack/block-storage/availability-zones/index.js';
import * as volumeLimits from '../../src/openstack/block-storage/limits/index.js';
import * as volumeQuotas from '../../src/openstack/block-storage/quotas/index.js';
import * as snapshots from '../../src/openstack/block-storage/snapshots/index.js';
import * as volumeTypes from '../../src/openstack/block-storage/types/index.js';
import * as volumes from '../../src/openstack/block-storage/volumes/index.js';
import * as computeZones from '../../src/openstack/compute/availability-zones/index.js';
import * as flavors from '../../src/openstack/compute/flavors/index.js';
import * as keypairs from '../../src/openstack/compute/keypairs/index.js';
import * as computeLimits from '../../src/openstack/compute/limits/index.js';
import * as computeQuotas from '../../src/openstack/compute/quotas/index.js';
import * as serverGroups from '../../src/openstack/compute/server-groups/index.js';
import * as servers from '../../src/openstack/compute/servers/index.js';
import { loadCloudConfig } from '../../src/openstack/config/loader.js';
import { bufferBody } from '../../src/openstack/http/client.js';
import { isNotFound } from '../../src/openstack/http/errors.js';
import * as projects from '../../src/openstack/identity/projects/index.js';
import * as tokens from '../../src/openstack/identity/tokens/index.js';
import * as images from '../../src/openstack/image/images/index.js';
import * as extensions from '../../src/openstack/network/extensions/index.js';
import * as floatingIps from '../../src/openstack/network/floating-ips/index.js';
import * as networks from '../../src/openstack/network/networks/index.js';
import * as ports from '../../src/openstack/network/ports/index.js';
import * as networkQuotas from '../../src/openstack/network/quotas/index.js';
import * as routers from '../../src/openstack/network/routers/index.js';
import * as rules from '../../src/openstack/network/security-group-rules/index.js';
import * as securityGroups from '../../src/openstack/network/security-groups/index.js';
import * as subnets from '../../src/openstack/network/subnets/index.js';
import * as neutronTags from '../../src/openstack/network/tags/index.js';
import { compareVersions } from '../../src/openstack/session/microversion.js';
import { Session } from '../../src/openstack/session/session.js';

const configFile = process.env['OS_CLIENT_CONFIG_FILE'];
if (!configFile) {
  console.warn(
    'wire-client integration tests skipped: OS_CLIENT_CONFIG_FILE is unset (the test runner sets it to the local cloud).',
  );
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function sha256(stream: Readable): Promise<{ hex: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { hex: hash.digest('hex'), bytes };
}

/** An OpenSSH public key line, built by hand so the test needs no ssh-keygen. */
function sshPublicKey(comment: string): string {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const field = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

const wait = { timeoutMs: 180_000, intervalMs: 500, maxIntervalMs: 2_000 };

describe.skipIf(!configFile)('wire client against the local cloud (tenant src)', () => {
  let session: Session;
  const prefix = `dp-it-${randomBytes(4).toString('hex')}`;
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  /** Undo `what` in afterAll, newest first; a 404 there means the test already removed it. */
  const track = (what: string, run: () => Promise<unknown>) => cleanups.push({ what, run });

  // What the network round trip leaves for the server round trip.
  const made: { networkId?: string; portId?: string; fipId?: string; groupId?: string } = {};

  beforeAll(async () => {
    session = await Session.connect(loadCloudConfig({ cloud: 'src' }));
  });

  afterAll(async () => {
    const failures: string[] = [];
    for (const { what, run } of cleanups.reverse()) {
      try {
        await run();
      } catch (err) {
        if (!isNotFound(err)) failures.push(`${what}: ${(err as Error).message}`);
      }
    }
    await session?.close();
    if (failures.length) throw new Error(`cleanup left things behind:\n${failures.join('\n')}`);
  });

  it('negotiates compute ≥ 2.90 and block-storage ≥ 3.60, and no microversion for the others', async () => {
    const compute = await session.versionInfo('compute');
    const volume = await session.versionInfo('block-storage');
    expect(compute.negotiated).toBeDefined();
    expect(compareVersions(compute.negotiated as string, '2.90')).toBeGreaterThanOrEqual(0);
    expect(compareVersions(volume.negotiated as string, '3.60')).toBeGreaterThanOrEqual(0);
    expect(await session.supports('compute', '2.64')).toBe(true);
    expect(await session.supports('block-storage', '3.66')).toBe(true);
    expect((await session.versionInfo('image')).negotiated).toBeUndefined();
    expect((await session.versionInfo('network')).negotiated).toBeUndefined();
  });

  it('validates tokens, lists the user’s projects, and re-authenticates after revoking its own token', async () => {
    const own = (await session.token()).token;
    const seen = await tokens.validate(session, own, { nocatalog: true });
    expect(seen?.token.project?.id).toBe(session.project.id);
    expect(seen?.token.catalog).toBeUndefined();
    expect(await tokens.validate(session, 'gAAAAAnot-a-token')).toBeUndefined();

    const mine = await collect(projects.listMine(session));
    expect(mine.map((p) => p.name)).toContain('src');
    const project = await projects.get(session, session.project.id);
    if (project) expect(project.name).toBe('src');
    expect(await projects.get(session, '00000000000000000000000000000000')).toBeUndefined();

    await tokens.revoke(session, own);
    // The session's next call meets a 401 and authenticates again, once.
    const before = session.http.stats.reauthentications;
    expect(await tokens.validate(session, own)).toBeUndefined();
    expect(session.http.stats.reauthentications).toBe(before + 1);
    expect((await session.token()).token).not.toBe(own);
  });

  it('lists compute resources: flavors, zones, limits, quotas, keypairs, server groups, servers', async () => {
    const all = await collect(flavors.list(session));
    const names = all.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['m1.tiny', 'm1.small']));
    const tiny = all.find((f) => f.name === 'm1.tiny');
    expect(tiny).toMatchObject({ vcpus: 1, ram: 512, disk: 1 });
    expect(await flavors.getExtraSpecs(session, tiny?.id as string)).toEqual({});
    expect((await flavors.get(session, tiny?.id as string)).name).toBe('m1.tiny');

    const zones = await collect(computeZones.list(session));
    expect(zones.find((z) => z.zoneName === 'nova')?.zoneState.available).toBe(true);

    const limits = await computeLimits.get(session);
    expect(limits.absolute.maxTotalCores).toBe(40);
    expect(limits.absolute.maxTotalInstances).toBe(20);
    const quota = await computeQuotas.get(session);
    expect(quota).toMatchObject({ id: session.project.id, cores: 40, instances: 20 });
    const detail = await computeQuotas.getDetail(session);
    expect(detail.cores).toMatchObject({ limit: 40 });
    expect(typeof detail.cores?.in_use).toBe('number');

    await collect(keypairs.list(session));
    await collect(serverGroups.list(session));
    const listed = await collect(servers.list(session, { tags: [prefix, 'x'], limit: 5 }));
    expect(listed).toEqual([]);
  });

  it('lists network resources and knows the external network "public"', async () => {
    const external = await collect(networks.list(session, { 'router:external': true }));
    const pub = external.find((n) => n.name === 'public');
    expect(pub?.['router:external']).toBe(true);
    expect((await networks.get(session, pub?.id as string)).subnets.length).toBeGreaterThan(0);
    // The external network names its subnet, but the subnet belongs to admin: a member cannot read it.
    expect(await collect(subnets.list(session, { network_id: pub?.id as string }))).toEqual([]);

    const aliases = await extensions.aliases(session);
    for (const alias of ['router', 'external-net', 'security-group', 'standard-attr-tag'])
      expect(aliases.has(alias)).toBe(true);

    expect((await networkQuotas.get(session)).network).toBe(100);
    const detail = await networkQuotas.getDetail(session);
    expect(detail['network']?.limit).toBe(100);

    const groups = await collect(securityGroups.list(session, { name: 'default' }));
    expect(groups).toHaveLength(1);
    expect(await collect(rules.list(session, { security_group_id: groups[0]?.id as string }))).not.toEqual(
      [],
    );
    await collect(ports.list(session, { device_owner: 'network:router_interface' }));
    await collect(routers.list(session));
    await collect(floatingIps.list(session));
  });

  it('lists images and finds the public image dp-base', async () => {
    const publics = await collect(images.list(session, { visibility: 'public', limit: 1 }));
    const base = publics.find((i) => i.name === 'dp-base');
    expect(base).toMatchObject({ status: 'active', visibility: 'public', disk_format: 'raw' });
    expect(base?.['dp_seed']).toBeTypeOf('string');
    const info = await images.importInfo(session);
    if (info) expect(Array.isArray(info['import-methods'].value)).toBe(true);
  });

  it('lists block-storage resources: types, zones, limits, quota usage, volumes, snapshots', async () => {
    const types = await collect(volumeTypes.list(session));
    expect(types.length).toBeGreaterThan(0);
    const fallback = await volumeTypes.getDefault(session);
    if (fallback) expect(types.map((t) => t.id)).toContain(fallback.id);
    const zones = await collect(volumeZones.list(session));
    expect(zones.map((z) => z.zoneName)).toContain('nova');
    expect((await volumeLimits.get(session)).absolute.maxTotalVolumes).toBe(50);
    const usage = await volumeQuotas.getUsage(session);
    expect(usage.volumes).toMatchObject({ limit: 50 });
    expect(typeof usage.gigabytes?.in_use).toBe('number');
    await collect(volumes.list(session, { status: 'available' }));
    await collect(snapshots.list(session));
  });

  it('builds a network, subnet, port, router with gateway and interface, security groups and a floating IP', async () => {
    const [pub] = await collect(networks.list(session, { name: 'public', 'router:external': true }));
    expect(pub).toBeDefined();

    const net = await networks.create(session, { name: `${prefix}-net`, description: 'wire-client test' });
    track(`network ${net.id}`, () => networks.remove(session, net.id));
    made.networkId = net.id;
    expect(net).toMatchObject({ status: 'ACTIVE', 'router:external': false, project_id: session.project.id });
    await neutronTags.addTag(session, 'networks', net.id, `${prefix}-tag`);
    expect(await neutronTags.setTags(session, 'networks', net.id, [`${prefix}-tag`, 'b'])).toHaveLength(2);
    const tagged = await collect(networks.list(session, { tags: [`${prefix}-tag`, 'b'] }));
    expect(tagged.map((n) => n.id)).toEqual([net.id]);
    await neutronTags.removeTag(session, 'networks', net.id, 'b');
    expect(await neutronTags.getTags(session, 'networks', net.id)).toEqual([`${prefix}-tag`]);
    expect((await networks.update(session, net.id, { description: 'changed' })).description).toBe('changed');

    const subnet = await subnets.create(session, {
      network_id: net.id,
      ip_version: 4,
      cidr: '10.231.7.0/24',
      name: `${prefix}-subnet`,
      allocation_pools: [{ start: '10.231.7.10', end: '10.231.7.200' }],
      dns_nameservers: ['192.0.2.53'],
    });
    track(`subnet ${subnet.id}`, () => subnets.remove(session, subnet.id));
    expect(subnet).toMatchObject({ gateway_ip: '10.231.7.1', enable_dhcp: true });

    const port = await ports.create(session, {
      network_id: net.id,
      name: `${prefix}-port`,
      fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.231.7.42' }],
    });
    track(`port ${port.id}`, () => ports.remove(session, port.id));
    made.portId = port.id;
    expect(port.fixed_ips).toEqual([{ subnet_id: subnet.id, ip_address: '10.231.7.42' }]);
    expect((await collect(ports.list(session, { network_id: net.id }))).map((p) => p.id)).toContain(port.id);

    const router = await routers.create(session, { name: `${prefix}-router` });
    track(`router ${router.id}`, () => routers.remove(session, router.id));
    const gated = await routers.update(session, router.id, {
      external_gateway_info: { network_id: pub?.id as string },
    });
    expect(gated.external_gateway_info?.network_id).toBe(pub?.id);
    expect(gated.external_gateway_info?.external_fixed_ips?.length).toBeGreaterThan(0);
    const iface = await routers.addInterface(session, router.id, { subnet_id: subnet.id });
    track(`router ${router.id} interface`, () =>
      routers.removeInterface(session, router.id, { subnet_id: subnet.id }),
    );
    expect(iface).toMatchObject({ id: router.id, subnet_id: subnet.id, network_id: net.id });
    const routed = await routers.addExtraRoutes(session, router.id, [
      { destination: '192.0.2.0/24', nexthop: '10.231.7.250' },
    ]);
    expect(routed.routes).toEqual([{ destination: '192.0.2.0/24', nexthop: '10.231.7.250' }]);
    expect((await routers.update(session, router.id, { routes: [] })).routes).toEqual([]);

    const web = await securityGroups.create(session, { name: `${prefix}-web`, description: 'web' });
    track(`security group ${web.id}`, () => securityGroups.remove(session, web.id));
    const app = await securityGroups.create(session, { name: `${prefix}-app` });
    track(`security group ${app.id}`, () => securityGroups.remove(session, app.id));
    made.groupId = app.id;
    expect(web.security_group_rules.every((r) => r.direction === 'egress')).toBe(true);
    const rule = await rules.create(session, {
      security_group_id: app.id,
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: 'tcp',
      port_range_min: 8080,
      port_range_max: 8080,
      remote_group_id: web.id,
    });
    track(`security group rule ${rule.id}`, () => rules.remove(session, rule.id));
    expect(rule).toMatchObject({ remote_group_id: web.id, protocol: 'tcp', remote_ip_prefix: null });
    expect((await securityGroups.get(session, app.id)).security_group_rules.map((r) => r.id)).toContain(
      rule.id,
    );

    const fip = await floatingIps.create(session, {
      floating_network_id: pub?.id as string,
      description: prefix,
    });
    track(`floating IP ${fip.id}`, () => floatingIps.remove(session, fip.id));
    made.fipId = fip.id;
    expect(fip.port_id).toBeNull();
    expect(fip.floating_ip_address).toMatch(/^198\.51\.100\./);
    const bound = await floatingIps.update(session, fip.id, { port_id: port.id });
    expect(bound).toMatchObject({ port_id: port.id, fixed_ip_address: '10.231.7.42', router_id: router.id });
    expect((await floatingIps.update(session, fip.id, { port_id: null })).port_id).toBeNull();
  });

  it('imports a keypair and creates a server group in the 2.64 shape', async () => {
    const publicKey = sshPublicKey(prefix);
    const key = await keypairs.create(session, { name: `${prefix}-key`, public_key: publicKey, type: 'ssh' });
    track(`keypair ${key.name}`, () => keypairs.remove(session, key.name));
    expect(key).toMatchObject({ name: `${prefix}-key`, type: 'ssh', public_key: publicKey });
    expect(key.private_key).toBeUndefined();
    expect((await collect(keypairs.list(session))).map((k) => k.name)).toContain(key.name);
    expect((await keypairs.get(session, key.name)).fingerprint).toBe(key.fingerprint);
    await keypairs.remove(session, key.name);
    await expect(keypairs.get(session, key.name)).rejects.toSatisfy(isNotFound);

    const group = await serverGroups.create(session, {
      name: `${prefix}-group`,
      policy: 'anti-affinity',
      rules: { max_server_per_host: 2 },
    });
    track(`server group ${group.id}`, () => serverGroups.remove(session, group.id));
    expect(group).toMatchObject({ policy: 'anti-affinity', rules: { max_server_per_host: 2 } });
    expect(serverGroups.policyOf(await serverGroups.get(session, group.id))).toBe('anti-affinity');
    await serverGroups.remove(session, group.id);
  });

  it('uploads 1 MiB to a new image, downloads it whole and in part with the same SHA-256, patches and deletes it', async () => {
    const data = randomBytes(1024 * 1024);
    const digest = createHash('sha256').update(data).digest('hex');
    const image = await images.create(session, {
      name: `${prefix}-image`,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
      tags: [prefix],
      properties: { dp_test: 'yes', 'dp:with/slash': 'ok' },
    });
    track(`image ${image.id}`, () => images.remove(session, image.id));
    expect(image).toMatchObject({ status: 'queued', dp_test: 'yes', 'dp:with/slash': 'ok', size: null });

    const empty = await images.download(session, image.id);
    expect(empty.status).toBe(204);
    expect((await sha256(empty.data)).bytes).toBe(0);

    await images.upload(session, image.id, bufferBody(data), { size: data.length });
    const active = await images.waitForImageStatus(session, image.id, 'active', wait);
    expect(active.size).toBe(data.length);
    if (active.os_hash_algo === 'sha256') expect(active.os_hash_value).toBe(digest);

    const whole = await images.download(session, image.id);
    expect(whole.status).toBe(200);
    expect(await sha256(whole.data)).toEqual({ hex: digest, bytes: data.length });
    const tail = await images.download(session, image.id, { range: { start: 1000 } });
    expect(tail.status).toBe(206);
    const tailHash = createHash('sha256').update(data.subarray(1000)).digest('hex');
    expect(await sha256(tail.data)).toEqual({ hex: tailHash, bytes: data.length - 1000 });

    const listed = await collect(images.list(session, { tag: [prefix], visibility: 'private' }));
    expect(listed.map((i) => i.id)).toEqual([image.id]);
    const patched = await images.setProperties(session, active, {
      dp_test: 'changed',
      dp_new: '1',
      'dp:with/slash': undefined,
      min_ram: 64,
    });
    expect(patched).toMatchObject({ dp_test: 'changed', dp_new: '1', min_ram: 64 });
    expect(patched['dp:with/slash']).toBeUndefined();
    await images.addTag(session, image.id, 'second');
    await images.removeTag(session, image.id, prefix);
    expect((await images.get(session, image.id)).tags).toEqual(['second']);

    await images.remove(session, image.id);
    await images.waitForImageDeleted(session, image.id, wait);
  });

  it('creates a 1 GiB volume, waits for available, snapshots it, and deletes both', async () => {
    const volume = await volumes.create(session, {
      size: 1,
      name: `${prefix}-vol`,
      availability_zone: 'nova',
      metadata: { dp_test: prefix },
    });
    track(`volume ${volume.id}`, () => volumes.remove(session, volume.id, { cascade: true }));
    expect(volume.status).toBe('creating');
    const ready = await volumes.waitForVolumeStatus(session, volume.id, 'available', wait);
    expect(ready).toMatchObject({
      size: 1,
      bootable: 'false',
      'os-vol-tenant-attr:tenant_id': session.project.id,
    });
    expect(await volumes.setMetadata(session, volume.id, { extra: '1' }, { merge: true })).toEqual({
      dp_test: prefix,
      extra: '1',
    });
    const found = await collect(volumes.list(session, { metadata: { dp_test: prefix } }));
    expect(found.map((v) => v.id)).toEqual([volume.id]);

    const snap = await snapshots.create(session, {
      volume_id: volume.id,
      name: `${prefix}-snap`,
      force: true,
    });
    track(`snapshot ${snap.id}`, () => snapshots.remove(session, snap.id));
    await snapshots.waitForSnapshotStatus(session, snap.id, 'available', wait);
    expect((await collect(snapshots.list(session, { volume_id: volume.id }))).map((s) => s.id)).toEqual([
      snap.id,
    ]);
    await snapshots.remove(session, snap.id);
    await snapshots.waitForSnapshotDeleted(session, snap.id, wait);

    await volumes.remove(session, volume.id);
    // Waiting for a status of a volume that goes away fails as soon as it is gone.
    await expect(volumes.waitForVolumeStatus(session, volume.id, 'in-use', wait)).rejects.toThrow(
      /disappeared/,
    );
    await volumes.waitForVolumeDeleted(session, volume.id, wait);
  });

  it('boots a server on the port in an anti-affinity group (a second member fails fast with the fault), tags it, attaches a volume, snapshots it, stops, starts and deletes it', async () => {
    expect(made.portId).toBeDefined();
    const allFlavors = await collect(flavors.list(session));
    const tiny = allFlavors.find((f) => f.name === 'm1.tiny');
    const [base] = await collect(images.list(session, { name: 'dp-base' }));
    const group = await serverGroups.create(session, { name: `${prefix}-apart`, policy: 'anti-affinity' });
    track(`server group ${group.id}`, () => serverGroups.remove(session, group.id));
    const created = await servers.create(
      session,
      {
        name: `${prefix}-vm`,
        flavorRef: tiny?.id as string,
        imageRef: base?.id as string,
        networks: [{ port: made.portId as string }],
        metadata: { dp_test: prefix },
        tags: [prefix],
      },
      { schedulerHints: { group: group.id } },
    );
    track(`server ${created.id}`, async () => {
      await servers.remove(session, created.id);
      await servers.waitForServerDeleted(session, created.id, wait);
    });
    const active = await servers.waitForServerStatus(session, created.id, 'ACTIVE', wait);
    expect(active).toMatchObject({ name: `${prefix}-vm`, tags: [prefix], 'OS-EXT-STS:task_state': null });
    expect(active.flavor.original_name).toBe('m1.tiny');
    expect(active['OS-EXT-AZ:availability_zone']).toBe('nova');
    expect((await collect(servers.list(session, { tags: [prefix] }))).map((s) => s.id)).toEqual([created.id]);
    expect((await serverGroups.get(session, group.id)).members).toEqual([created.id]);

    // One compute host: a second member of the anti-affinity group must land in ERROR, and the waiter
    // must say so at once with Nova's fault, not poll until its deadline.
    const second = await servers.create(
      session,
      {
        name: `${prefix}-vm2`,
        flavorRef: tiny?.id as string,
        imageRef: base?.id as string,
        networks: 'none',
      },
      { schedulerHints: { group: group.id } },
    );
    track(`server ${second.id}`, () => servers.remove(session, second.id));
    const started = Date.now();
    await expect(servers.waitForServerStatus(session, second.id, 'ACTIVE', wait)).rejects.toThrow(
      /reached status ERROR: No valid host/,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    await servers.remove(session, second.id);
    await servers.waitForServerDeleted(session, second.id, wait);

    await servers.addTag(session, created.id, 'second');
    expect((await servers.getTags(session, created.id)).sort()).toEqual([prefix, 'second'].sort());
    expect(await servers.setTags(session, created.id, [prefix])).toEqual([prefix]);
    expect(await servers.setMetadata(session, created.id, { more: '1' }, { merge: true })).toEqual({
      dp_test: prefix,
      more: '1',
    });
    expect(await servers.getMetadata(session, created.id)).toEqual({ dp_test: prefix, more: '1' });

    const interfaces = await collect(servers.listInterfaces(session, created.id));
    expect(interfaces.map((i) => i.port_id)).toEqual([made.portId]);
    const port = await ports.waitForPortStatus(session, made.portId as string, 'ACTIVE', wait);
    expect(port.device_id).toBe(created.id);

    const volume = await volumes.create(session, { size: 1, name: `${prefix}-data` });
    track(`volume ${volume.id}`, () => volumes.remove(session, volume.id));
    await volumes.waitForVolumeStatus(session, volume.id, 'available', wait);
    const attachment = await servers.attachVolume(session, created.id, { volumeId: volume.id });
    expect(attachment).toMatchObject({ volumeId: volume.id, serverId: created.id });
    await volumes.waitForVolumeStatus(session, volume.id, 'in-use', wait);
    const attachments = await collect(servers.listVolumeAttachments(session, created.id));
    expect(attachments.map((a) => a.volumeId)).toEqual([volume.id]);
    await servers.detachVolume(session, created.id, volume.id);
    await volumes.waitForVolumeStatus(session, volume.id, 'available', wait);

    const imageId = await servers.createImage(session, created.id, { name: `${prefix}-snapshot` });
    track(`image ${imageId}`, () => images.remove(session, imageId));
    const snapshot = await images.waitForImageStatus(session, imageId, 'active', wait);
    expect(snapshot.size).toBeGreaterThan(0);
    await servers.waitForServerStatus(session, created.id, 'ACTIVE', wait);

    await servers.stop(session, created.id);
    await servers.waitForServerStatus(session, created.id, 'SHUTOFF', wait);
    await servers.start(session, created.id);
    await servers.waitForServerStatus(session, created.id, 'ACTIVE', wait);

    await servers.remove(session, created.id);
    await servers.waitForServerDeleted(session, created.id, wait);
    // A port made before the boot outlives the server.
    expect((await ports.get(session, made.portId as string)).device_id).toBe('');
  });
});
