export * from './layout.js';
export { isDescriptor, parseDataManifest, parseFormatMarker, parseIndex } from './schema.js';
export { BundleWriter, type OpenWriterOptions } from './store.js';
export type { DataProgress, PutDataOptions, PutDataResult, ResumePoint } from './ingest.js';
export type { StreamDigests } from './chunk-pipeline.js';
export { openBundle, type BundleReader, type BlobProblem, type OpenDataOptions } from './reader.js';
export { packBundle, type PackOptions, type PackProgress } from './pack.js';
export {
  verifyBundle,
  type VerifyOptions,
  type VerifyProblem,
  type VerifyProblemKind,
  type VerifyProgress,
  type VerifyReport,
} from './verify.js';
export { DIR_MODE, FILE_MODE, writeFileAtomic } from '../core/fs-atomic.js';
