import { isDigest, type Digest } from '../../bundle/layout.js';
import { maybe, v, type DocumentOf } from '../document.js';

const descriptor = v.object({
  mediaType: v.string(),
  digest: v.custom<Digest>(isDigest, 'a sha256 digest'),
  size: v.number(),
});

/**
 * A Swift container: its own settings, and its objects as pages of entries (in the bundle as
 * separate blobs, so a container of 100 000 objects is not one document). Swift has no ids: the
 * container's name is its source id, and the destination's name for it.
 */
export const containerDocument = v.object({
  name: v.string(),
  /** The storage policy's name at the source; mapped at the destination (like a volume type). */
  storage_policy: maybe(v.string()),
  /** `X-Container-Meta-*` without the prefix, lower-cased (CORS, static web and quota settings are metadata too). */
  metadata: v.record(v.string(), v.string()),
  /** `X-Container-Read` / `X-Container-Write` as the source had them; project and user ids are mapped at import. */
  read_acl: maybe(v.string()),
  write_acl: maybe(v.string()),
  /** Legacy versioning: the container that keeps older versions (`X-Versions-Location`, `X-History-Location`). */
  versions_location: maybe(v.string()),
  history_location: maybe(v.string()),
  /** Object versioning (`X-Versions-Enabled`): every version is in the pages, newest first per name. */
  versions_enabled: maybe(v.boolean()),
  /** The source project and user, so ACL entries naming them can be rewritten to the destination's. */
  owner: maybe(
    v.object({ project_id: v.string(), project_name: maybe(v.string()), user_id: maybe(v.string()) }),
  ),
  object_count: v.number(),
  bytes: v.number(),
  /** The object pages, in name order; absent until the export has captured the objects. */
  objects: maybe(v.array(descriptor)),
});
export type ContainerDocument = DocumentOf<typeof containerDocument>;

/** Where an object's bytes are in the bundle: a member of a pack, or a stream of chunks of its own. */
const location = v.union([
  v.object({ pack: descriptor, offset: v.number(), length: v.number() }),
  v.object({ data: descriptor }),
]);

/** One segment of a static large object, in the form Swift takes at `?multipart-manifest=put`. */
const segment = v.looseObject({
  path: maybe(v.string()),
  etag: maybe(v.string()),
  size_bytes: maybe(v.number()),
  range: maybe(v.string()),
  data: maybe(v.string()),
});

export const OBJECT_TYPES = ['object', 'slo', 'dlo', 'symlink', 'delete-marker'] as const;

/** One object (or one version of one) as a page holds it. */
export const objectEntry = v.object({
  name: v.string(),
  type: v.picklist(OBJECT_TYPES),
  /** Bytes of the object as Swift stores it (for a large object, of the whole). */
  size: v.number(),
  /** Swift's ETag, unquoted: MD5 of the bytes; for a static large object, of its segments' ETags. */
  etag: v.string(),
  /** SHA-256 of the stored bytes (for `object`). */
  sha256: maybe(v.string()),
  /** The source listing's `last_modified`: a second export of an unchanged object reuses its entry. */
  modified: maybe(v.string()),
  /** The headers an upload replays: content type, encoding, disposition, `X-Delete-At`, `X-Object-Meta-*`. */
  headers: v.record(v.string(), v.string()),
  at: maybe(location),
  /** A static large object's segments. */
  segments: maybe(v.array(segment)),
  /** A dynamic large object's `X-Object-Manifest` (`container/prefix`). */
  manifest: maybe(v.string()),
  /** A symlink's `X-Symlink-Target` (`container/object`). */
  target: maybe(v.string()),
  /** With object versioning: the source's version id (never kept: the destination gives new ones). */
  version_id: maybe(v.string()),
});
export type ObjectEntry = DocumentOf<typeof objectEntry>;

export const objectPage = v.object({ objects: v.array(objectEntry) });
export type ObjectPage = DocumentOf<typeof objectPage>;
