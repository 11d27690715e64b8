import { BundleFormatError } from '../core/errors.js';
import type { BundleReader } from '../bundle/index.js';
import { GRAPH_SCHEMA_VERSION, type GraphDocument } from './model.js';

/** The graph document of a bundle, refused when its schema is newer than this Downpour knows. */
export async function loadGraph(reader: BundleReader): Promise<GraphDocument> {
  const graph = await reader.readJson<Partial<GraphDocument>>(reader.index().root);
  if (graph.schemaVersion !== GRAPH_SCHEMA_VERSION || !Array.isArray(graph.nodes)) {
    throw new BundleFormatError(
      `the bundle's graph has schema version ${JSON.stringify(graph.schemaVersion)}; this Downpour reads version ${GRAPH_SCHEMA_VERSION}`,
      { hint: 'Use the Downpour version that wrote the bundle, or a newer one.' },
    );
  }
  return graph as GraphDocument;
}
