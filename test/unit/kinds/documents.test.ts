import { describe, expect, it } from 'vitest';
import type { BundleReader } from '../../../src/bundle/index.js';
import type { Descriptor } from '../../../src/bundle/layout.js';
import { BundleFormatError, ExitCode } from '../../../src/core/errors.js';
import { KINDS } from '../../../src/kinds/registry.js';
import { documentOf, loadDocuments } from '../../../src/kinds/load.js';
import { KIND_NAMES, type GraphDocument } from '../../../src/kinds/model.js';
import { loadRenderFixture } from '../render/support.js';

const fixture = loadRenderFixture();
const port = fixture.graph.nodes.find((n) => n.kind === 'network.port' && n.name === 'rfx-web-front')!;
const portDoc = fixture.documents[port.key]!;

/** A reader over the fixture's documents, stored as the export stores them. */
function readerOf(documents: Record<string, unknown>): BundleReader {
  const blobs = new Map(
    fixture.graph.nodes.map((n) => [
      n.document.digest,
      { kind: n.kind, sourceId: n.sourceId, name: n.name ?? null, document: documents[n.key] },
    ]),
  );
  return { readJson: (d: Descriptor) => Promise.resolve(blobs.get(d.digest)) } as unknown as BundleReader;
}

describe('bundle documents', () => {
  it('declares a document schema for every kind', () => {
    expect(Object.keys(KINDS).sort()).toEqual([...KIND_NAMES].sort());
  });

  it('reads every document of a bundle exported from the local cloud', async () => {
    const docs = await loadDocuments(readerOf(fixture.documents), fixture.graph);
    expect(docs.size).toBe(fixture.graph.nodes.length);
    for (const n of fixture.graph.nodes) expect(docs.get(n.key)).toEqual(fixture.documents[n.key]);
  });

  it('keeps the fields a schema does not name, in the order the bundle has them', () => {
    const doc = { ...portDoc, 'future:field': 1 };
    expect(Object.keys(documentOf('network.port', port, doc))).toEqual(Object.keys(doc));
  });

  it('refuses a hand-edited document naming the resource and the field, with exit 6', async () => {
    const edited = {
      ...fixture.documents,
      [port.key]: { ...portDoc, fixed_ips: [{ subnet_id: 42, ip_address: '10.61.1.10' }] },
    };
    const err = await loadDocuments(readerOf(edited), fixture.graph).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleFormatError);
    expect((err as BundleFormatError).exitCode).toBe(ExitCode.integrity);
    expect((err as BundleFormatError).message).toBe(
      `bundle document for network.port ${port.sourceId} (rfx-web-front): field fixed_ips[0].subnet_id: expected string, found 42`,
    );
  });

  it('refuses a document whose required reference is missing', () => {
    const { network_id: _, ...doc } = portDoc;
    expect(() => documentOf('network.port', port, doc)).toThrow(
      /\(rfx-web-front\): field network_id: missing$/,
    );
  });

  it('refuses a node of a kind this version does not know', async () => {
    const graph: GraphDocument = {
      ...fixture.graph,
      nodes: [{ ...port, kind: 'dns.zone' as never, key: `dns.zone:${port.sourceId}` }],
    };
    await expect(loadDocuments(readerOf(fixture.documents), graph)).rejects.toThrow(
      /of kind dns.zone, which this Downpour does not know/,
    );
  });
});
