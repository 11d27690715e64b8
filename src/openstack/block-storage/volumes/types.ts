import type { WireDocument } from '../../common.js';

export interface VolumeAttachmentInfo extends WireDocument {
  id: string;
  attachment_id: string;
  volume_id: string;
  server_id: string;
  host_name: string | null;
  device: string;
  attached_at: string;
}

/** `GET /volumes/{id}` and `/volumes/detail`; field names exactly as Cinder spells them. */
export interface Volume extends WireDocument {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  /** GiB */
  size: number;
  availability_zone: string;
  /** The string "true" or "false". */
  bootable: string;
  encrypted: boolean;
  multiattach: boolean;
  /** The type's name. */
  volume_type: string | null;
  /** 3.63+ */
  volume_type_id?: string;
  snapshot_id: string | null;
  source_volid: string | null;
  metadata: Record<string, string>;
  attachments: VolumeAttachmentInfo[];
  /** Image properties carried by a volume created from an image (what upload-to-image copies back). */
  volume_image_metadata?: Record<string, string>;
  user_id: string;
  created_at: string;
  updated_at: string | null;
  replication_status?: string | null;
  consistencygroup_id?: string | null;
  /** 3.13+ */
  group_id?: string | null;
  'os-vol-tenant-attr:tenant_id'?: string;
  /** Admin-only. */
  'os-vol-host-attr:host'?: string | null;
  'os-vol-mig-status-attr:migstat'?: string | null;
}

export interface ListVolumesOptions {
  name?: string;
  status?: string;
  /** Volumes having all these metadata pairs. */
  metadata?: Record<string, string>;
  bootable?: boolean;
  availability_zone?: string;
  limit?: number;
  sort?: string;
}

export interface CreateVolumeInput {
  /** GiB; at least the image's min_disk or the source's size. */
  size: number;
  name?: string;
  description?: string;
  /** Create from this Glance image (status goes creating → downloading → available). */
  imageRef?: string;
  snapshot_id?: string;
  source_volid?: string;
  /** Type name or id. */
  volume_type?: string;
  availability_zone?: string;
  metadata?: Record<string, string>;
  multiattach?: boolean;
}

export interface UpdateVolumeInput {
  name?: string;
  description?: string;
  metadata?: Record<string, string>;
}

export interface UploadToImageInput {
  image_name: string;
  /** Asked as given: "qcow2" leaves empty blocks out; encrypted volumes only allow "raw". */
  disk_format: string;
  container_format?: string;
  /** 3.1+ */
  visibility?: 'private' | 'shared' | 'community' | 'public';
  /** 3.1+ */
  protected?: boolean;
}

/** The answer to `os-volume_upload_image`: the image exists already, its data is still coming. */
export interface UploadToImageResult extends WireDocument {
  id: string;
  image_id: string;
  image_name: string;
  status: string;
  disk_format: string;
  container_format: string;
  size: number;
  visibility?: string;
  protected?: boolean;
}
