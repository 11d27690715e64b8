import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataManifest } from '../../../src/bundle/layout.js';
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
