import type { DocumentSchema } from './document.js';
import { flavorDocument } from './flavor.js';
import { floatingIpDocument } from './floating-ip/document.js';
import { imageDocument } from './image/document.js';
import { keypairDocument } from './keypair/document.js';
import type { KindName } from './model.js';
import { networkDocument } from './network/document.js';
import { portDocument } from './port/document.js';
import { routerDocument } from './router/document.js';
import { securityGroupDocument, securityGroupRulesDocument } from './security-group/document.js';
import { serverGroupDocument } from './server-group/document.js';
import { serverDocument } from './server/document.js';
import { subnetDocument } from './subnet/document.js';
import { volumeTypeDocument } from './volume-type.js';
import { volumeDocument } from './volume/document.js';

/** Every kind's bundle document schema: what a bundle reader checks each document against. */
export const DOCUMENTS = {
  'compute.flavor': flavorDocument,
  'compute.keypair': keypairDocument,
  'compute.server-group': serverGroupDocument,
  'compute.server': serverDocument,
  'network.network': networkDocument,
  'network.subnet': subnetDocument,
  'network.router': routerDocument,
  'network.port': portDocument,
  'network.security-group': securityGroupDocument,
  'network.security-group-rules': securityGroupRulesDocument,
  'network.floating-ip': floatingIpDocument,
  'image.image': imageDocument,
  'block-storage.volume-type': volumeTypeDocument,
  'block-storage.volume': volumeDocument,
} as const satisfies Record<KindName, DocumentSchema>;

export type Documents = { [K in KindName]: (typeof DOCUMENTS)[K] };
