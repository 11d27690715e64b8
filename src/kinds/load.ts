import { BundleFormatError } from '../core/errors.js';
import type { BundleReader } from '../bundle/index.js';
import { checkDocument, v } from './document.js';
import { KINDS, type KindDocument } from './registry.js';
import { GRAPH_SCHEMA_VERSION, type GraphDocument, type GraphNode, type KindName } from './model.js';

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

/** The blob a resource document is stored in: the document and whose it is. */
const resourceBlob = v.looseObject({ document: v.record(v.string(), v.unknown()) });

/** One node's document, checked against its kind's schema (a bundle format error, exit 6, when it does not match). */
export function documentOf<K extends KindName>(
  kind: K,
  node: Pick<GraphNode, 'sourceId' | 'name'>,
  document: unknown,
): KindDocument<K> {
  return checkDocument(KINDS[kind].document, { kind, sourceId: node.sourceId, name: node.name }, document);
}

/** Every node's resource document, by node key, each checked against its kind when read. */
export async function loadDocuments(
  reader: BundleReader,
  graph: GraphDocument,
): Promise<Map<string, Record<string, unknown>>> {
  const documents = new Map<string, Record<string, unknown>>();
  await Promise.all(
    graph.nodes.map(async (n) => {
      if (!Object.hasOwn(KINDS, n.kind)) {
        throw new BundleFormatError(
          `the bundle has ${n.key} of kind ${n.kind}, which this Downpour does not know`,
          {
            hint: 'Use the Downpour version that wrote the bundle, or a newer one.',
          },
        );
      }
      const blob = checkDocument(
        resourceBlob,
        { kind: n.kind, sourceId: n.sourceId, name: n.name },
        await reader.readJson(n.document),
      );
      documents.set(n.key, documentOf(n.kind, n, blob.document));
    }),
  );
  return documents;
}
