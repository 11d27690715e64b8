import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataManifest } from '../../../src/bundle/layout.js';
import type { ContainerDocument } from '../../../src/kinds/container/document.js';
import type { GraphDocument } from '../../../src/kinds/model.js';
import type { MappingFile } from '../../../src/plan/types.js';
import { buildRenderModel, type RenderModel } from '../../../src/render/model.js';

interface RenderFixture {
  bundleId: string;
  graph: GraphDocument;
  documents: Record<string, Record<string, unknown>>;
  manifests: Record<string, DataManifest>;
}

/**
 * The graph, documents and data manifests of a bundle exported from the local cloud's `src`
 * tenant (the sample workload: two servers, one booting from a volume, an attached data volume,
 * two networks, a router, a floating IP, security groups that reference each other, a keypair,
 * a server group).
 */
export function loadRenderFixture(name = 'shop'): RenderFixture {
  return JSON.parse(
    readFileSync(join(import.meta.dirname, '../../fixtures/render', `${name}.json`), 'utf8'),
  ) as RenderFixture;
}

export function fixtureModel(mapping: MappingFile = {}, name = 'shop'): RenderModel {
  const f = loadRenderFixture(name);
  return buildRenderModel({
    graph: f.graph,
    bundleId: f.bundleId,
    documents: new Map(Object.entries(f.documents)),
    manifests: new Map(Object.entries(f.manifests)),
    mapping,
  });
}

/** The source project and exporting user of the shop fixture's containers. */
export const CONTAINER_OWNER = {
  project_id: '875456a5a0794e1081f6def9f38a7da3',
  project_name: 'src',
  user_id: '0b5e2b6e9f1d4c0c8a3e8d1f2c4b6a70',
};

/**
 * The shop fixture with three Swift containers: `assets`, with metadata, a storage policy,
 * ACLs naming the public, the source project, the exporting user and another project, and its
 * older versions in `assets-archive`; and `logs`, with object versioning and a read ACL for
 * everyone.
 */
export function containersFixture(): RenderFixture {
  const f = loadRenderFixture();
  const { project_id: project, user_id: user } = CONTAINER_OWNER;
  const containers: (Partial<ContainerDocument> & { name: string })[] = [
    { name: 'assets-archive', object_count: 0, bytes: 0 },
    {
      name: 'assets',
      storage_policy: 'gold',
      metadata: { 'web-index': 'index.html', 'quota-bytes': '1000000' },
      read_acl: `.r:*,.rlistings,${project}:*,4a1f0c3e9b7d4e2f8c6a5b3d1e0f9a8b:*`,
      write_acl: `${project}:${user}`,
      versions_location: 'assets-archive',
      object_count: 3,
      bytes: 2048,
    },
    { name: 'logs', read_acl: '*:*', versions_enabled: true, object_count: 1, bytes: 10 },
  ];
  for (const c of containers) {
    const key = `object-store.container:${c.name}`;
    const archive = c.versions_location ?? c.history_location;
    f.documents[key] = { metadata: {}, owner: CONTAINER_OWNER, objects: [], ...c };
    f.graph.nodes.push({
      key,
      kind: 'object-store.container',
      sourceId: c.name,
      name: c.name,
      disposition: 'create',
      dependsOn: archive ? [`object-store.container:${archive}`] : [],
      document: {
        mediaType: 'application/vnd.downpour.resource.v1+json',
        digest: `sha256:${'0'.repeat(64)}`,
        size: 0,
      },
      selected: true,
    });
  }
  return f;
}

export const containersModel = (mapping: MappingFile = {}): RenderModel => {
  const f = containersFixture();
  return buildRenderModel({
    graph: f.graph,
    bundleId: f.bundleId,
    documents: new Map(Object.entries(f.documents)),
    manifests: new Map(Object.entries(f.manifests)),
    mapping,
  });
};
