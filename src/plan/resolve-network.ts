import {
  addFinding,
  compareStrings,
  listSome,
  nodesOfKind,
  setPlanned,
  str,
  type PlanContext,
} from './context.js';
import { lookupMapping } from './mapping-file.js';
import { referencedKey } from './resolve-compute.js';
import type { DestinationFacts } from './types.js';

type ForeignNetwork = DestinationFacts['foreignNetworks'][number];

const describeNetwork = (n: ForeignNetwork): string =>
  `${n.name || n.id}${n.external ? ' (external)' : n.shared ? ' (shared)' : ''}`;

/**
 * External and shared networks belong to the operator: map.yaml, else the same name, else (for
 * an external network) the destination's only external network, else an error listing the
 * candidates. Subnets of those networks are the network's business: mapped with it.
 */
export function resolveForeignNetworks(ctx: PlanContext): void {
  const networks = [...ctx.facts.foreignNetworks].sort((a, b) => compareStrings(a.id, b.id));
  for (const node of nodesOfKind(ctx, 'network.network')) {
    if (node.disposition !== 'existing') continue;
    const identity = node.identity ?? {};
    const sourceName = str(identity['name']) ?? node.name ?? '';
    const external = identity['router:external'] === true;
    const what = `${external ? 'external' : 'shared'} network ${sourceName ? `"${sourceName}"` : node.sourceId}`;
    const map = (n: ForeignNetwork, reason: string) => {
      setPlanned(ctx, node, { action: 'map', target: { id: n.id, name: n.name }, uploadBytes: 0, reason });
      if (n.external !== external) {
        addFinding(ctx, {
          severity: 'warning',
          code: 'NETWORK_KIND_DIFFERS',
          key: node.key,
          message: `${what} maps to ${describeNetwork(n)}, which is ${n.external ? '' : 'not '}external at the destination: routers and floating IPs on it may be refused`,
        });
      }
    };
    const fail = (code: string, message: string) => {
      setPlanned(ctx, node, { action: 'map', uploadBytes: 0 });
      addFinding(ctx, { severity: 'error', code, key: node.key, message });
    };
    const candidates = external ? networks.filter((n) => n.external) : networks;
    const candidateList = `candidates: ${listSome(candidates.map(describeNetwork), 20)}`;

    const mapped = lookupMapping(ctx.mapping.networks, sourceName, node.sourceId);
    if (mapped) {
      const byId = networks.find((n) => n.id === mapped.to);
      const byName = networks.filter((n) => n.name === mapped.to);
      if (byId) map(byId, `map.yaml: ${mapped.from} -> ${mapped.to}`);
      else if (byName.length === 1 && byName[0]) map(byName[0], `map.yaml: ${mapped.from} -> ${mapped.to}`);
      else if (byName.length > 1)
        fail(
          'NETWORK_AMBIGUOUS',
          `map.yaml maps ${what} to "${mapped.to}", a name ${byName.length} destination networks share (${byName.map((n) => n.id).join(', ')}); map it by id`,
        );
      else
        fail(
          'NETWORK_MAPPING_UNKNOWN',
          `map.yaml maps ${what} to "${mapped.to}", which is not an external or shared network the project sees at the destination; ${candidateList}`,
        );
      continue;
    }
    const sameName = sourceName ? networks.filter((n) => n.name === sourceName) : [];
    const sameKind = sameName.filter((n) => n.external === external);
    const pick = sameName.length === 1 ? sameName : sameKind;
    if (pick.length === 1 && pick[0]) {
      map(pick[0], 'same name');
      continue;
    }
    if (sameName.length > 1) {
      fail(
        'NETWORK_AMBIGUOUS',
        `${what}: ${sameName.length} destination networks have that name (${sameName.map((n) => n.id).join(', ')}); map it by id in map.yaml (networks:)`,
      );
      continue;
    }
    if (external && candidates.length === 1 && candidates[0]) {
      map(candidates[0], 'the only external network');
      addFinding(ctx, {
        severity: 'info',
        code: 'NETWORK_ONLY_EXTERNAL',
        key: node.key,
        message: `${what} is not at the destination; using ${describeNetwork(candidates[0])}, its only external network`,
      });
      continue;
    }
    fail(
      'NETWORK_UNRESOLVED',
      `${what} is not at the destination${external && candidates.length > 1 ? ' and it has several external networks' : ''}; map it in map.yaml (networks:); ${candidateList}`,
    );
  }

  // A subnet of a foreign network needs nothing created: the destination network brings its own.
  for (const node of nodesOfKind(ctx, 'network.subnet')) {
    if (node.disposition !== 'existing') continue;
    const networkKey = referencedKey(ctx, node, 'network.network', ctx.doc(node.key)['network_id']);
    const target = networkKey ? ctx.planned.get(networkKey)?.target : undefined;
    setPlanned(ctx, node, {
      action: 'map',
      ...(target ? { target } : {}),
      uploadBytes: 0,
      reason: 'a subnet of a mapped network: the destination network chooses the address',
    });
  }
}

/**
 * The source project's `default` group and its rules are merged into the destination project's
 * own `default` group (Neutron refuses a second one, and every project has one).
 */
export function resolveDefaultSecurityGroup(ctx: PlanContext): void {
  const defaults = nodesOfKind(ctx, 'network.security-group').filter(
    (n) => n.disposition === 'create' && ctx.doc(n.key)['is_default'] === true,
  );
  const targetId = ctx.facts.defaultSecurityGroupId;
  for (const group of defaults) {
    const rules = ctx.byKey.get(`network.security-group-rules:${group.sourceId}`);
    const members = rules ? [group, rules] : [group];
    for (const node of members) {
      setPlanned(ctx, node, {
        action: 'merge',
        ...(targetId ? { target: { id: targetId, name: 'default' } } : {}),
        uploadBytes: 0,
        reason: "merged into the destination project's default group",
      });
    }
    if (!targetId) {
      addFinding(ctx, {
        severity: 'error',
        code: 'SECURITY_GROUP_NO_DEFAULT',
        key: group.key,
        message: `the source's default security group must merge into the destination project's "default" group, but none is visible there`,
      });
    }
  }
}
