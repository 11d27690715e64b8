import { createHash } from 'node:crypto';
import { canonicalJson } from '../bundle/layout.js';
import type { GraphDocument } from '../kinds/model.js';
import { addFinding, compareStrings, createContext, setPlanned, type PlanContext } from './context.js';
import {
  checkCapabilities,
  checkFormats,
  checkNameCollisions,
  checkQuotas,
  checkServices,
} from './preflight.js';
import { resolveFlavors, resolveKeypairs, resolveServerOverrides, resolveZones } from './resolve-compute.js';
import { resolveDefaultSecurityGroup, resolveForeignNetworks } from './resolve-network.js';
import { resolveImages, resolveVolumeOverrides, resolveVolumeTypes } from './resolve-storage.js';
import { resolveContainers } from './resolve-object-store.js';
import { PLAN_VERSION, type DestinationFacts, type Finding, type MappingFile, type Plan } from './types.js';

export interface PlanInput {
  graph: GraphDocument;
  /** Digest of the graph document's blob (`index.json` names it). */
  graphDigest: string;
  bundleId: string;
  /** Node key -> the node's portable resource document (or the stored blob `{kind, sourceId, name, document}`). */
  documents: Map<string, Record<string, unknown>>;
  facts: DestinationFacts;
  mapping: MappingFile;
  now?: Date;
}

/**
 * What an import of `graph` into the destination described by `facts` will do, node by node,
 * and whether it may start (`ok`: no error finding). Pure: the same input gives the same plan,
 * byte for byte once serialised (nodes by key, findings by key, code and message).
 */
export function planImport(input: PlanInput): Plan {
  const ctx = createContext(input);

  // Things that must already exist at the destination.
  resolveFlavors(ctx);
  resolveForeignNetworks(ctx);
  resolveVolumeTypes(ctx);
  resolveImages(ctx);
  // Things whose destination twin may already be there.
  resolveKeypairs(ctx);
  resolveDefaultSecurityGroup(ctx);
  resolveContainers(ctx);
  planTheRest(ctx);
  // Destination values the creates use instead of the source's.
  resolveServerOverrides(ctx);
  resolveVolumeOverrides(ctx);
  resolveZones(ctx);
  // Preflight.
  checkNameCollisions(ctx);
  checkServices(ctx);
  checkFormats(ctx);
  checkCapabilities(ctx);
  checkQuotas(ctx);

  const nodes = [...ctx.planned.values()].sort((a, b) => compareStrings(a.key, b.key));
  const findings = [...ctx.findings].sort(compareFindings);
  const totals = { create: 0, map: 0, reuse: 0, merge: 0, uploadBytes: 0 };
  for (const n of nodes) {
    totals[n.action] += 1;
    totals.uploadBytes += n.uploadBytes;
  }
  const { facts } = input;
  return {
    planVersion: PLAN_VERSION,
    bundleId: input.bundleId,
    graphDigest: input.graphDigest,
    destination: {
      cloud: facts.cloud,
      authUrl: facts.authUrl,
      region: facts.region,
      project: { ...facts.project },
    },
    createdAt: (input.now ?? new Date()).toISOString(),
    nodes,
    findings,
    ok: !findings.some((f) => f.severity === 'error'),
    totals,
    factsDigest: factsDigest(facts),
  };
}

/** Nodes no rule claimed: created (with their data uploaded), or, if they should exist and nothing maps them, an error. */
function planTheRest(ctx: PlanContext): void {
  for (const node of ctx.nodes) {
    if (ctx.planned.has(node.key)) continue;
    if (node.disposition === 'create') {
      setPlanned(ctx, node, { action: 'create', uploadBytes: node.dataInfo?.size ?? 0 });
      continue;
    }
    setPlanned(ctx, node, { action: 'map', uploadBytes: 0 });
    addFinding(ctx, {
      severity: 'error',
      code: 'EXISTING_UNSUPPORTED',
      key: node.key,
      message: `${node.key} must already exist at the destination, and Downpour has no rule to find a ${node.kind}`,
    });
  }
}

const SEVERITY_ORDER: Record<Finding['severity'], number> = { error: 0, warning: 1, info: 2 };

function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.key ?? '', b.key ?? '') ||
    compareStrings(a.code, b.code) ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    compareStrings(a.message, b.message)
  );
}

/**
 * SHA-256 of the facts a plan relied on, in a canonical form (keys sorted, every list sorted),
 * so gathering the same destination twice gives the same digest. Quota use is included: a plan
 * saved when the quota had room must be checked again once it has not. The cloud's local name
 * is left out: the same destination reached through another clouds.yaml entry is the same.
 * Note that an import changes the facts it planned against (names, quota use): compare the
 * digest before the first create, not on resume.
 */
export function factsDigest(facts: DestinationFacts): string {
  const { cloud: _cloud, ...rest } = facts;
  return `sha256:${createHash('sha256')
    .update(canonicalJson(sortLists(rest)))
    .digest('hex')}`;
}

function sortLists(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(sortLists)
      .map((v) => ({ v, text: canonicalJson(v) }))
      .sort((a, b) => compareStrings(a.text, b.text))
      .map(({ v }) => v);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, sortLists(v)]),
    );
  }
  return value;
}
