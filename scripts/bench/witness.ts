/**
 * The independent witness of the orchestration benchmark: after each contender, the `openstack`
 * CLI (not Downpour's client) counts what exists in `dst`, so a run only counts when it really
 * built the whole graph.
 */
import { openstack, type BenchContext } from './context.js';
import type { GraphSpec } from './graph.js';
import { expectedCounts } from './graph.js';
import { failureOf, ok, stdoutOf } from './measure.js';

type Row = Record<string, unknown>;

export interface Witnessed {
  ok: boolean;
  counts: Record<string, number>;
  missing: string[];
}

export async function witnessGraph(ctx: BenchContext, spec: GraphSpec, label: string): Promise<Witnessed> {
  const mine = (name: unknown) => typeof name === 'string' && name.startsWith(`${spec.prefix}-`);
  const list = async (what: string, args: string[]): Promise<Row[]> => {
    const run = await openstack(
      ctx,
      ['--os-cloud', 'dst', ...args, '-f', 'json'],
      `${label}-${what}`,
      5 * 60_000,
    );
    if (!ok(run)) throw new Error(`openstack ${args.join(' ')}: ${failureOf(run)}`);
    return JSON.parse(stdoutOf(run)) as Row[];
  };
  const [servers, ports, fips, nets, subnets, routers, groups, rules, keys] = await Promise.all([
    list('servers', ['server', 'list', '-c', 'Name', '-c', 'Status']),
    list('ports', ['port', 'list', '-c', 'ID', '-c', 'Name']),
    list('fips', ['floating', 'ip', 'list']),
    list('networks', ['network', 'list', '-c', 'Name']),
    list('subnets', ['subnet', 'list', '-c', 'Name']),
    list('routers', ['router', 'list', '-c', 'Name']),
    list('groups', ['security', 'group', 'list', '-c', 'ID', '-c', 'Name']),
    list('rules', ['security', 'group', 'rule', 'list']),
    list('keypairs', ['keypair', 'list', '-c', 'Name']),
  ]);
  const ourPorts = new Set(ports.filter((p) => mine(p['Name'])).map((p) => p['ID']));
  const ourGroups = new Set(groups.filter((g) => mine(g['Name'])).map((g) => g['ID']));
  const counts: Record<string, number> = {
    'servers ACTIVE': servers.filter((s) => mine(s['Name']) && s['Status'] === 'ACTIVE').length,
    ports: ourPorts.size,
    'floating IPs on the ports': fips.filter((f) => ourPorts.has(f['Port'])).length,
    networks: nets.filter((n) => mine(n['Name'])).length,
    subnets: subnets.filter((s) => mine(s['Name'])).length,
    routers: routers.filter((r) => mine(r['Name'])).length,
    'security groups': ourGroups.size,
    'tcp rules in them': rules.filter((r) => ourGroups.has(r['Security Group']) && r['IP Protocol'] === 'tcp')
      .length,
    keypairs: keys.filter((k) => mine(k['Name'])).length,
  };
  const expected = expectedCounts(spec);
  const missing = Object.entries(expected)
    .filter(([k, v]) => counts[k] !== v)
    .map(([k, v]) => `${k}: ${counts[k] ?? 0} of ${v}`);
  return { ok: missing.length === 0, counts, missing };
}
