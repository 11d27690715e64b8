import type { KindName } from '../kinds/model.js';

/**
 * What the destination offers, gathered once before planning (`gatherDestinationFacts`).
 * The plan is a pure function of (bundle graph, these facts, the mapping file).
 */
export interface DestinationFacts {
  cloud: string;
  authUrl: string;
  region: string | undefined;
  project: { id: string; name: string };
  services: { compute: boolean; network: boolean; image: boolean; 'block-storage': boolean };
  computeMicroversion: string | undefined;
  volumeMicroversion: string | undefined;
  networkExtensions: string[];
  flavors: {
    id: string;
    name: string;
    vcpus: number;
    ram: number;
    disk: number;
    ephemeral: number;
    swap: number;
    is_public: boolean;
  }[];
  /** Networks the project can see but does not own (external or shared). */
  foreignNetworks: { id: string; name: string; external: boolean; shared: boolean }[];
  /** Names of networks, routers, security groups, servers, server groups, images and volumes the project already has. */
  existingNames: Partial<Record<KindName, string[]>>;
  defaultSecurityGroupId: string | undefined;
  keypairs: { name: string; fingerprint: string }[];
  volumeTypes: { id: string; name: string; is_default: boolean }[];
  computeZones: string[];
  volumeZones: string[];
  /** Images the project can see, for reuse by hash and for mapping public images. */
  images: {
    id: string;
    name: string | null;
    owner: string | null;
    visibility: string;
    status: string;
    size: number | null;
    os_hash_algo: string | null;
    os_hash_value: string | null;
    checksum: string | null;
    disk_format: string | null;
    /** Glance tags: an image an earlier import of the same bundle created (`downpour:bundle=<id>`) is not "reused". */
    tags?: string[];
  }[];
  /** Disk and container formats Glance accepts (from its schema); empty when unknown. */
  diskFormats: string[];
  containerFormats: string[];
  /** Quota headroom: limit (-1 unlimited) and use, by service and resource name as each API spells it. */
  quotas: {
    service: 'compute' | 'network' | 'block-storage';
    resource: string;
    limit: number;
    inUse: number;
  }[];
  /** Swift, when the catalog has it: storage policies, the containers an import may meet, the account quota. */
  objectStore?: ObjectStoreFacts;
}

export interface ObjectStoreFacts {
  policies: { name: string; default: boolean }[];
  /** Containers of the bundle's names that exist already, with the bundle id an import marked them with. */
  containers: { name: string; bundle?: string }[];
  /** `X-Account-Meta-Quota-Bytes`, when the operator set one. */
  quotaBytes?: number;
  bytesUsed: number;
}

/** `map.yaml`: the user's word on how source things map to destination things. Every key is optional. */
export interface MappingFile {
  /** Source flavor name -> destination flavor name or id. */
  flavors?: Record<string, string>;
  /** Source external/shared network name or id -> destination network name or id. */
  networks?: Record<string, string>;
  /** Source volume type name -> destination volume type name or id. */
  volumeTypes?: Record<string, string>;
  /** Source availability zone -> destination zone ("" lets the cloud choose). */
  availabilityZones?: Record<string, string>;
  /** Source public image name or id -> destination image name or id. */
  images?: Record<string, string>;
  /** Source keypair name -> name to use at the destination (when a different key already has the name). */
  keypairs?: Record<string, string>;
  /** Source storage policy name -> destination storage policy name. */
  storagePolicies?: Record<string, string>;
  /** Container name -> `merge`: upload into the destination's existing container of that name. */
  containers?: Record<string, string>;
}

/** What import does with one node. */
export type PlanAction =
  /** Create it (and upload its data). */
  | 'create'
  /** An existing destination object stands for it (flavor, external network, volume type, public image). */
  | 'map'
  /** An object with the same content is already there (image with the same hash, keypair with the same fingerprint). */
  | 'reuse'
  /** Merge into the destination's own object (the `default` security group and its rules). */
  | 'merge';

export interface PlannedNode {
  key: string;
  kind: KindName;
  name: string | undefined;
  action: PlanAction;
  /** For map/reuse/merge: the destination object. */
  target?: { id: string; name?: string };
  /** Destination values the import uses instead of the source's (availability_zone, volume_type, name of a renamed keypair). */
  overrides?: Record<string, unknown>;
  /** Bytes to upload for this node. */
  uploadBytes: number;
  /** Why this mapping was chosen, for the plan table. */
  reason?: string;
}

export interface Finding {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  key?: string;
}

export const PLAN_VERSION = 1;

export interface Plan {
  planVersion: typeof PLAN_VERSION;
  bundleId: string;
  /** Digest of the bundle's graph document: a plan applies to exactly that graph. */
  graphDigest: string;
  destination: {
    cloud: string;
    authUrl: string;
    region: string | undefined;
    project: { id: string; name: string };
  };
  createdAt: string;
  nodes: PlannedNode[];
  findings: Finding[];
  /** True when no finding is an error: import may proceed. */
  ok: boolean;
  totals: { create: number; map: number; reuse: number; merge: number; uploadBytes: number };
  /** A fingerprint of the facts the plan relied on; a saved plan is refused when it changed. */
  factsDigest: string;
}
