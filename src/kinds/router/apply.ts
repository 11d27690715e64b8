import * as ports from '../../openstack/network/ports/index.js';
import * as routers from '../../openstack/network/routers/index.js';
import { isConflict, isNotFound } from '../../openstack/http/errors.js';
import { orUndefined } from '../../openstack/common.js';
import {
  defined,
  documentIn,
  intent,
  maybeTargetOf,
  opts,
  type ApplyContext,
  type KindApply,
} from '../apply/context.js';
import { findNeutron, listTagged, tagNeutron } from '../apply/neutron.js';
import { landsInFlight } from '../apply/in-flight.js';
import { subnetDocument } from '../subnet/document.js';
import type { RouterDocument } from './document.js';

const ROUTER_OWNERS =
  /^network:(router_interface|router_interface_distributed|ha_router_replicated_interface)$/;

export const routerApply: KindApply<RouterDocument> = {
  kind: 'network.router',
  find: (ctx, node, doc, entry) =>
    findNeutron(ctx, node, (f) => routers.list(ctx.session, f, opts(ctx)), doc.name, intent(entry)),
  async create(ctx, node, doc, record, existing) {
    const gateway = doc.external_gateway_info;
    const plan = ctx.plan.get(`network.network:${gateway?.network_id ?? ''}`);
    const router =
      existing ??
      (await routers.create(
        ctx.session,
        defined<routers.CreateRouterInput>({
          name: doc.name,
          description: doc.description,
          admin_state_up: doc.admin_state_up,
          // The gateway address and SNAT are the operator's (admin-only): only the network is asked for.
          ...(gateway?.network_id && plan?.target
            ? { external_gateway_info: { network_id: plan.target.id } }
            : {}),
        }),
        opts(ctx),
      ));
    if (!existing) await record({ id: router.id });
    await tagNeutron(ctx, 'routers', router.id, node, doc.tags);
    const interfaces = await addInterfaces(ctx, router.id, doc);
    const routes = doc.routes ?? [];
    if (routes.length) {
      if (ctx.caps.extraroute) await routers.update(ctx.session, router.id, { routes }, opts(ctx));
      else
        ctx.warn(
          node.key,
          `router ${String(doc.name)}: the destination has no extraroute extension; ${routes.length} static route(s) left out`,
        );
    }
    return { id: router.id, extra: { interfaces } };
  },
  tagged: listTagged(routers.list),
  async remove(ctx, entry) {
    const id = entry.targetId;
    if (!id) return;
    const o = opts(ctx);
    if (!(await orUndefined(() => routers.get(ctx.session, id, o)))) return;
    await routers.update(ctx.session, id, { routes: [] }, o).catch(() => undefined);
    for await (const port of ports.list(ctx.session, { device_id: id }, o)) {
      if (!ROUTER_OWNERS.test(port.device_owner)) continue;
      await routers.removeInterface(ctx.session, id, { port_id: port.id }, o).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    await orUndefined(() => routers.remove(ctx.session, id, o));
  },
};

/** The subnets on which the router has an interface. */
async function interfaceSubnets(
  ctx: Parameters<KindApply['create']>[0],
  routerId: string,
): Promise<Set<string>> {
  const present = new Set<string>();
  for await (const port of ports.list(ctx.session, { device_id: routerId }, opts(ctx))) {
    if (ROUTER_OWNERS.test(port.device_owner)) for (const f of port.fixed_ips) present.add(f.subnet_id);
  }
  return present;
}

/**
 * After a 409 on adding an interface: a run killed while its own add was under way may still be
 * making that interface (Neutron takes the address first, then attaches the port). It counts as
 * added once it shows on the router; waited for as long as such a request may take.
 */
async function landedLater(
  ctx: Parameters<KindApply['create']>[0],
  routerId: string,
  subnetId: string,
): Promise<boolean> {
  return landsInFlight(
    async () => ((await interfaceSubnets(ctx, routerId)).has(subnetId) ? true : undefined),
    ctx.signal,
  );
}

/** `add`, where a conflict is fine if the interface then shows on the router. */
async function addOnce(
  ctx: Parameters<KindApply['create']>[0],
  routerId: string,
  subnetId: string,
  add: () => Promise<unknown>,
): Promise<void> {
  try {
    await add();
  } catch (err) {
    if (!isConflict(err) || !(await landedLater(ctx, routerId, subnetId))) throw err;
    ctx.logger.debug(`router ${routerId}: the interface on subnet ${subnetId} was added by an earlier run`);
  }
}

/**
 * Interfaces on the subnets that moved with the router: by subnet when the source used the
 * subnet's gateway address, else through a port with the same address. Idempotent: subnets
 * that already have an interface are skipped, so a resumed run adds only what is missing, and
 * an interface still being added by a killed run is waited for rather than added twice.
 */
async function addInterfaces(ctx: ApplyContext, routerId: string, doc: RouterDocument): Promise<string[]> {
  const o = opts(ctx);
  const present = await interfaceSubnets(ctx, routerId);
  const added: string[] = [];
  for (const iface of doc.interfaces ?? []) {
    const subnetId = maybeTargetOf(ctx, 'network.subnet', iface.subnet_id);
    if (!subnetId) continue; // that subnet stayed behind
    if (present.has(subnetId)) {
      added.push(subnetId);
      continue;
    }
    const subnetDoc = documentIn(ctx, 'network.subnet', subnetDocument, iface.subnet_id);
    if (!subnetDoc || subnetDoc.gateway_ip === iface.ip_address) {
      await addOnce(ctx, routerId, subnetId, () =>
        routers.addInterface(ctx.session, routerId, { subnet_id: subnetId }, o),
      );
    } else {
      const netId = maybeTargetOf(ctx, 'network.network', subnetDoc.network_id);
      if (!netId) continue;
      // A port an earlier run made for this address and did not attach yet is used, not made twice.
      let portId: string | undefined;
      for await (const p of ports.list(
        ctx.session,
        { network_id: netId, fixed_ips: [`subnet_id=${subnetId}`, `ip_address=${iface.ip_address}`] },
        o,
      )) {
        if (!p.device_id) portId = p.id;
      }
      portId ??= (
        await ports.create(
          ctx.session,
          { network_id: netId, fixed_ips: [{ subnet_id: subnetId, ip_address: iface.ip_address }] },
          o,
        )
      ).id;
      const chosen = portId;
      await addOnce(ctx, routerId, subnetId, () =>
        routers.addInterface(ctx.session, routerId, { port_id: chosen }, o),
      );
    }
    added.push(subnetId);
  }
  return added;
}
