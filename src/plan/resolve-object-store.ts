/**
 * Swift containers at the destination: the service must be there, a container of the same name
 * must not be someone else's (unless map.yaml merges into it), the storage policy is mapped like
 * a volume type, and the bytes must fit the account's quota where the operator set one.
 */
import { addFinding, listSome, nodesOfKind, num, setPlanned, str, type PlanContext } from './context.js';

export function resolveContainers(ctx: PlanContext): void {
  const nodes = nodesOfKind(ctx, 'object-store.container');
  if (nodes.length === 0) return;
  const facts = ctx.facts.objectStore;
  if (!facts) {
    for (const node of nodes) setPlanned(ctx, node, { action: 'create', uploadBytes: 0 });
    addFinding(ctx, {
      severity: 'error',
      code: 'SERVICE_MISSING',
      message: `the bundle has ${nodes.length} Swift container(s) (${listSome(nodes.map((n) => n.sourceId))}), and the destination's catalog has no object-store service`,
    });
    return;
  }
  const existing = new Map(facts.containers.map((c) => [c.name, c]));
  const defaultPolicy = facts.policies.find((p) => p.default)?.name;
  const policyNames = new Set(facts.policies.map((p) => p.name));
  let bytes = 0;
  for (const node of nodes) {
    const doc = ctx.doc(node.key);
    const name = str(doc['name']) ?? node.sourceId;
    const size = num(doc['bytes']) ?? 0;
    bytes += size;
    const there = existing.get(name);
    const merge = ctx.mapping.containers?.[name] === 'merge';
    const ours = there?.bundle === ctx.bundleId;
    if (there && !ours && !merge) {
      addFinding(ctx, {
        severity: 'error',
        code: 'CONTAINER_EXISTS',
        key: node.key,
        message: `container ${name} already exists at the destination${there.bundle ? ' (made by the import of another bundle)' : ''}; Downpour does not write into a container it did not make unless asked: add \`containers: { ${name}: merge }\` to map.yaml, or remove or rename it`,
      });
    }
    const overrides: Record<string, unknown> = {};
    const policy = str(doc['storage_policy']);
    const mapped = policy ? ctx.mapping.storagePolicies?.[policy] : undefined;
    let reason: string | undefined;
    if (mapped !== undefined) {
      if (!policyNames.has(mapped))
        addFinding(ctx, {
          severity: 'error',
          code: 'POLICY_MISSING',
          key: node.key,
          message: `map.yaml maps storage policy ${policy} to ${mapped}, which the destination does not have (it has ${listSome([...policyNames])})`,
        });
      overrides['storage_policy'] = mapped;
      reason = `storage policy ${policy} -> ${mapped} (map.yaml)`;
    } else if (policy && !policyNames.has(policy)) {
      overrides['storage_policy'] = null;
      reason = `storage policy ${policy} -> ${defaultPolicy ?? 'the default'} (the destination has no ${policy})`;
      addFinding(ctx, {
        severity: 'info',
        code: 'POLICY_MAPPED',
        key: node.key,
        message:
          `container ${name}: the destination has no storage policy ${policy}; it gets the default policy ${defaultPolicy ?? ''} (map another one under storagePolicies in map.yaml)`.replace(
            ' )',
            ')',
          ),
      });
    }
    if (there && (merge || ours) && policy) overrides['storage_policy'] = null;
    setPlanned(ctx, node, {
      action: there && merge && !ours ? 'merge' : 'create',
      uploadBytes: size,
      ...(there && merge && !ours ? { target: { id: name, name } } : {}),
      ...(Object.keys(overrides).length ? { overrides } : {}),
      ...(reason ? { reason } : {}),
    });
  }
  if (facts.quotaBytes !== undefined && facts.bytesUsed + bytes > facts.quotaBytes) {
    addFinding(ctx, {
      severity: 'error',
      code: 'QUOTA_EXCEEDED',
      message: `the containers need ${bytes} bytes of object storage; the destination account uses ${facts.bytesUsed} of its quota of ${facts.quotaBytes}`,
    });
  }
}
