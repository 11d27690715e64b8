/**
 * Hand-built plan inputs: small graphs and destinations as plain data (no HTTP, no bundle on disk).
 * Defaults describe a roomy destination that satisfies everything; each test changes what it proves.
 */
import {
  GRAPH_SCHEMA_VERSION,
  type DataInfo,
  type GraphDocument,
  type GraphNode,
  type KindName,
} from '../../../src/kinds/model.js';
import { planImport } from '../../../src/plan/plan.js';
import type { DestinationFacts, Finding, MappingFile, Plan, PlannedNode } from '../../../src/plan/types.js';

export const PROJECT = { id: 'dst-project', name: 'dst' };
export const BUNDLE_ID = '0b9d7a3e-0000-4000-8000-000000000001';
export const NOW = new Date('2025-01-02T03:04:05.000Z');

export interface NodeSpec {
  name?: string;
  disposition?: 'create' | 'existing';
  identity?: Record<string, unknown>;
  doc?: Record<string, unknown>;
  dependsOn?: string[];
  dataInfo?: DataInfo;
}

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly documents = new Map<string, Record<string, unknown>>();

  add(kind: KindName, sourceId: string, spec: NodeSpec = {}): string {
    const key = `${kind}:${sourceId}`;
    this.nodes.push({
      key,
      kind,
      sourceId,
      name: spec.name,
      disposition: spec.disposition ?? 'create',
      ...(spec.identity ? { identity: spec.identity } : {}),
      dependsOn: spec.dependsOn ?? [],
      document: { mediaType: 'application/json', digest: `sha256:${'0'.repeat(64)}`, size: 2 },
      ...(spec.dataInfo ? { dataInfo: spec.dataInfo } : {}),
      selected: false,
    });
    this.documents.set(key, spec.doc ?? { ...(spec.name ? { name: spec.name } : {}) });
    return key;
  }

  flavor(name: string, size: { vcpus: number; ram: number; disk: number }): string {
    return this.add('compute.flavor', name, {
      name,
      disposition: 'existing',
      identity: { name, ...size, ephemeral: 0, swap: 0, extra_specs: {} },
      doc: { name },
    });
  }

  server(
    id: string,
    doc: {
      flavor: string;
      name?: string;
      availability_zone?: string | null;
      key_name?: string;
      server_group?: string;
    },
  ): string {
    const name = doc.name ?? id;
    const dependsOn = [`compute.flavor:${doc.flavor}`];
    if (doc.key_name) dependsOn.push(`compute.keypair:${doc.key_name}`);
    return this.add('compute.server', id, {
      name,
      doc: { availability_zone: null, volumes: [], ports: [], ...doc, name },
      dependsOn,
    });
  }

  externalNetwork(id: string, name: string): string {
    return this.add('network.network', id, {
      name,
      disposition: 'existing',
      identity: { name, 'router:external': true, shared: false },
      doc: { name, 'router:external': true },
    });
  }

  volumeType(name: string): string {
    return this.add('block-storage.volume-type', name, {
      name,
      disposition: 'existing',
      identity: { name },
      doc: { name },
    });
  }

  volume(
    id: string,
    doc: { size: number; volume_type?: string | null; availability_zone?: string | null; name?: string },
    dataSize = 0,
  ): string {
    const name = doc.name ?? id;
    return this.add('block-storage.volume', id, {
      name,
      doc: { volume_type: null, availability_zone: null, ...doc, name },
      dependsOn: doc.volume_type ? [`block-storage.volume-type:${doc.volume_type}`] : [],
      ...(dataSize ? { dataInfo: data(dataSize) } : {}),
    });
  }

  securityGroup(id: string, name: string, rules: Record<string, unknown>[]): string {
    this.add('network.security-group', id, { name, doc: { name, is_default: name === 'default' } });
    return this.add('network.security-group-rules', id, {
      name,
      doc: { security_group_id: id, rules },
      dependsOn: [`network.security-group:${id}`],
    });
  }

  graph(): GraphDocument {
    return {
      schemaVersion: GRAPH_SCHEMA_VERSION,
      source: {
        cloud: 'src',
        authUrl: 'http://src.example:5000/v3',
        region: 'RegionOne',
        project: { id: 'src-project', name: 'src' },
      },
      exportedAt: '2025-01-01T00:00:00.000Z',
      downpourVersion: '0.1.0',
      options: { capture: 'snapshot' },
      selection: [],
      nodes: this.nodes,
      notes: [],
    };
  }
}

export function data(size: number, extra: Partial<DataInfo> = {}): DataInfo {
  return {
    size,
    disk_format: 'qcow2',
    container_format: 'bare',
    sha256: 'a'.repeat(64),
    captured_from: 'image',
    ...extra,
  };
}

export const egress = (ethertype: 'IPv4' | 'IPv6'): Record<string, unknown> => ({
  direction: 'egress',
  ethertype,
  protocol: null,
  port_range_min: null,
  port_range_max: null,
  remote_ip_prefix: null,
  remote_group_id: null,
});

export const ingressTcp = (port: number): Record<string, unknown> => ({
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'tcp',
  port_range_min: port,
  port_range_max: port,
  remote_ip_prefix: '0.0.0.0/0',
  remote_group_id: null,
});

type Quota = DestinationFacts['quotas'][number];
export const quota = (service: Quota['service'], resource: string, limit: number, inUse = 0): Quota => ({
  service,
  resource,
  limit,
  inUse,
});

export function destination(overrides: Partial<DestinationFacts> = {}): DestinationFacts {
  return {
    cloud: 'dst',
    authUrl: 'http://dst.example:5000/v3',
    region: 'RegionOne',
    project: PROJECT,
    services: { compute: true, network: true, image: true, 'block-storage': true },
    computeMicroversion: '2.93',
    volumeMicroversion: '3.70',
    networkExtensions: [
      'allowed-address-pairs',
      'extraroute',
      'port-security',
      'router',
      'security-group',
      'standard-attr-tag',
    ],
    flavors: [
      { id: 'f-tiny', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1, ephemeral: 0, swap: 0, is_public: true },
      {
        id: 'f-small',
        name: 'm1.small',
        vcpus: 1,
        ram: 2048,
        disk: 20,
        ephemeral: 0,
        swap: 0,
        is_public: true,
      },
      {
        id: 'f-medium',
        name: 'm1.medium',
        vcpus: 2,
        ram: 4096,
        disk: 40,
        ephemeral: 0,
        swap: 0,
        is_public: true,
      },
      {
        id: 'f-large',
        name: 'm1.large',
        vcpus: 4,
        ram: 8192,
        disk: 80,
        ephemeral: 0,
        swap: 0,
        is_public: true,
      },
    ],
    foreignNetworks: [{ id: 'net-public', name: 'public', external: true, shared: false }],
    existingNames: {},
    defaultSecurityGroupId: 'sg-default-dst',
    keypairs: [],
    volumeTypes: [{ id: 'vt-default', name: '__DEFAULT__', is_default: true }],
    computeZones: ['nova'],
    volumeZones: ['nova'],
    images: [],
    diskFormats: ['qcow2', 'raw', 'vmdk'],
    containerFormats: ['bare', 'ovf'],
    quotas: [
      quota('compute', 'instances', 10),
      quota('compute', 'cores', 20),
      quota('compute', 'ram', 51200),
      quota('compute', 'key_pairs', 100),
      quota('compute', 'server_groups', 10),
      quota('compute', 'server_group_members', 10),
      quota('network', 'network', 100),
      quota('network', 'subnet', 100),
      quota('network', 'port', 500),
      quota('network', 'router', 10),
      quota('network', 'floatingip', 50),
      quota('network', 'security_group', 10, 1),
      quota('network', 'security_group_rule', 100, 4),
      quota('block-storage', 'volumes', 10),
      quota('block-storage', 'gigabytes', 1000),
    ],
    ...overrides,
  };
}

export function planFor(
  b: GraphBuilder,
  facts: DestinationFacts = destination(),
  mapping: MappingFile = {},
): Plan {
  return planImport({
    graph: b.graph(),
    graphDigest: `sha256:${'1'.repeat(64)}`,
    bundleId: BUNDLE_ID,
    documents: b.documents,
    facts,
    mapping,
    now: NOW,
  });
}

export function nodeOf(plan: Plan, key: string): PlannedNode {
  const n = plan.nodes.find((x) => x.key === key);
  if (!n) throw new Error(`no planned node ${key}`);
  return n;
}

export const findingsWith = (plan: Plan, code: string): Finding[] =>
  plan.findings.filter((f) => f.code === code);
export const errors = (plan: Plan): Finding[] => plan.findings.filter((f) => f.severity === 'error');
