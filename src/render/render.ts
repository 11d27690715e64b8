/**
 * `downpour render`: a bundle and a mapping file as files for a tool the user already trusts.
 * Pure: nothing here talks to a cloud.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { BundleReader } from '../bundle/index.js';
import type { DataManifest } from '../bundle/layout.js';
import { loadDocuments, loadGraph } from '../kinds/load.js';
import type { MappingFile } from '../plan/types.js';
import { buildRenderModel, type RenderModel } from './model.js';

export const RENDER_FORMATS = ['ansible', 'heat', 'terraform'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

export interface RenderedFile {
  /** Relative, with forward slashes. */
  path: string;
  content: string;
  /** 0o755 for scripts. */
  mode?: number;
}

export type Renderer = (model: RenderModel) => RenderedFile[];

const renderers = new Map<RenderFormat, Renderer>();

/** Each format's module registers itself; see `./formats.ts`. */
export function registerRenderer(format: RenderFormat, renderer: Renderer): void {
  renderers.set(format, renderer);
}

export function isRenderFormat(value: string): value is RenderFormat {
  return (RENDER_FORMATS as readonly string[]).includes(value);
}

/** The render model of an open bundle. */
export async function loadRenderModel(reader: BundleReader, mapping: MappingFile): Promise<RenderModel> {
  const graph = await loadGraph(reader);
  const documents = await loadDocuments(reader, graph);
  const manifests = new Map<string, DataManifest>();
  for (const node of graph.nodes) {
    if (node.data) manifests.set(node.key, await reader.readDataManifest(node.data));
  }
  return buildRenderModel({ graph, bundleId: reader.index().bundleId, documents, manifests, mapping });
}

/** The files of one format, sorted by path. */
export function renderModel(model: RenderModel, format: RenderFormat): RenderedFile[] {
  const renderer = renderers.get(format);
  if (!renderer) throw new UsageError(`no renderer for ${format}`);
  return [...renderer(model)].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes the files under `dir`, creating folders; a path that would leave `dir` is refused. */
export async function writeRendered(files: RenderedFile[], dir: string): Promise<void> {
  for (const file of files) {
    const target = normalize(join(dir, file.path));
    if (!target.startsWith(normalize(dir) + sep))
      throw new Error(`render: ${file.path} leaves the output folder`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    await chmod(target, file.mode ?? 0o644);
  }
}
