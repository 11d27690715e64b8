import type { KindExport } from './kind.js';
import type { KindName } from './model.js';
import { floatingIpExport } from './floating-ip.js';
import { imageExport } from './image.js';
import { keypairExport } from './keypair.js';
import { networkExport } from './network.js';
import { portExport } from './port.js';
import { routerExport } from './router.js';
import { securityGroupExport, securityGroupRulesExport } from './security-group.js';
import { serverExport } from './server.js';
import { serverGroupExport } from './server-group.js';
import { subnetExport } from './subnet.js';
import { volumeExport } from './volume.js';

/** Every kind that can be read from a source by id. Flavors and volume types come inline from their users. */
export const EXPORTS: Partial<Record<KindName, KindExport>> = Object.fromEntries(
  [
    networkExport,
    subnetExport,
    routerExport,
    portExport,
    securityGroupExport,
    securityGroupRulesExport,
    floatingIpExport,
    keypairExport,
    serverGroupExport,
    imageExport,
    volumeExport,
    serverExport,
  ].map((k) => [k.kind, k]),
);
