import * as networks from '../../openstack/network/networks/index.js';
import * as subnets from '../../openstack/network/subnets/index.js';
import * as tags from '../../openstack/network/tags/index.js';
import type { TaggableResource } from '../../openstack/network/tags/index.js';
import { orUndefined } from '../../openstack/common.js';
import type { GraphNode } from '../model.js';
import {
  defined,
  opts,
  provenanceTags,
  targetOf,
  type ApplyContext,
  type Created,
  type KindApply,
} from './context.js';

/** Tag a new Neutron object with its own tags and its provenance, when the cloud has tags. */
export async function tagNeutron(
  ctx: ApplyContext,
  type: TaggableResource,
  id: string,
  node: GraphNode,
  own: unknown,
): Promise<void> {
  if (!ctx.caps.neutronTags) return;
  const list = [
    ...((own as string[] | undefined) ?? []).filter((t) => !t.startsWith('downpour:')),
    ...provenanceTags(ctx, node),
  ];
  await tags.setTags(ctx.session, type, id, list, opts(ctx));
}

/**
 * Neutron objects found by provenance tags; when the run died between the create and the
 * tagging, by name among untagged objects made after the journal's intent entry.
 */
export async function findNeutron<
  T extends { id: string; name?: string; tags?: string[]; created_at?: string },
>(
  ctx: ApplyContext,
  node: GraphNode,
  list: (filters: { tags?: string[]; name?: string }) => AsyncIterable<T>,
  name: string | undefined,
  intentAt: string | undefined,
): Promise<Created | undefined> {
  if (ctx.caps.neutronTags) {
    for await (const item of list({ tags: provenanceTags(ctx, node) })) return { id: item.id };
  }
  if (intentAt === undefined || !name) return undefined;
  const since = Date.parse(intentAt) - 5_000;
  for await (const item of list({ name })) {
    const untagged = !(item.tags ?? []).some((t) => t.startsWith('downpour:'));
    if (untagged && (!item.created_at || Date.parse(item.created_at) >= since)) return { id: item.id };
  }
  return undefined;
}

const intent = (entry: { status: string; updatedAt: string } | undefined) =>
  entry?.status === 'creating' ? entry.updatedAt : undefined;

export const networkApply: KindApply = {
  kind: 'network.network',
  find: (ctx, node, doc, entry) =>
    findNeutron(
      ctx,
      node,
      (f) => networks.list(ctx.session, f, opts(ctx)),
      doc['name'] as string,
      intent(entry),
    ),
  async create(ctx, node, doc, record, existing) {
    if (existing) {
      await tagNeutron(ctx, 'networks', existing.id, node, doc['tags']);
      return existing;
    }
    const net = await networks.create(
      ctx.session,
      defined<networks.CreateNetworkInput>({
        name: doc['name'],
        description: doc['description'],
        admin_state_up: doc['admin_state_up'],
        mtu: doc['mtu'],
        ...(ctx.caps.portSecurity ? { port_security_enabled: doc['port_security_enabled'] } : {}),
      }),
      opts(ctx),
    );
    await record({ id: net.id });
    await tagNeutron(ctx, 'networks', net.id, node, doc['tags']);
    return { id: net.id };
  },
  async remove(ctx, entry) {
    if (entry.targetId)
      await orUndefined(() => networks.remove(ctx.session, entry.targetId as string, opts(ctx)));
  },
};

export const subnetApply: KindApply = {
  kind: 'network.subnet',
  find: (ctx, node, doc, entry) =>
    findNeutron(
      ctx,
      node,
      (f) => subnets.list(ctx.session, f, opts(ctx)),
      doc['name'] as string,
      intent(entry),
    ),
  async create(ctx, node, doc, record, existing) {
    if (existing) {
      await tagNeutron(ctx, 'subnets', existing.id, node, doc['tags']);
      return existing;
    }
    // `defined` drops nulls, but a null gateway means "no gateway": left out, Neutron would pick one.
    const noGateway = doc['gateway_ip'] === null ? { gateway_ip: null } : {};
    const subnet = await subnets.create(
      ctx.session,
      {
        ...defined<subnets.CreateSubnetInput>({
          network_id: targetOf(ctx, 'network.network', doc['network_id'] as string),
          name: doc['name'],
          description: doc['description'],
          cidr: doc['cidr'],
          ip_version: doc['ip_version'],
          gateway_ip: doc['gateway_ip'],
          enable_dhcp: doc['enable_dhcp'],
          dns_nameservers: doc['dns_nameservers'],
          allocation_pools: doc['allocation_pools'],
          host_routes: doc['host_routes'],
          ipv6_ra_mode: doc['ipv6_ra_mode'],
          ipv6_address_mode: doc['ipv6_address_mode'],
        }),
        ...noGateway,
      },
      opts(ctx),
    );
    await record({ id: subnet.id });
    await tagNeutron(ctx, 'subnets', subnet.id, node, doc['tags']);
    return { id: subnet.id };
  },
  async remove(ctx, entry) {
    if (entry.targetId)
      await orUndefined(() => subnets.remove(ctx.session, entry.targetId as string, opts(ctx)));
  },
};

export { intent };
