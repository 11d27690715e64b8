import type { WireDocument } from '../../common.js';

/** A keypair belongs to a user, not to the project. */
export interface Keypair extends WireDocument {
  name: string;
  public_key: string;
  fingerprint: string;
  /** 2.2+ */
  type?: 'ssh' | 'x509';
  /** Present in `GET /os-keypairs/{name}` only. */
  id?: number;
  user_id?: string;
  created_at?: string;
  deleted?: boolean;
  /** Only in the answer of a create that generated the key (before 2.92). */
  private_key?: string;
}

export interface ImportKeypairInput {
  name: string;
  /** Mandatory from 2.92: Nova no longer generates keys. */
  public_key: string;
  /** 2.2+ */
  type?: 'ssh' | 'x509';
}
