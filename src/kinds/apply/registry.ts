import type { KindName } from '../model.js';
import { keypairApply, serverGroupApply } from './compute.js';
import type { KindApply } from './context.js';
import { floatingIpApply } from './floating-ip.js';
import { imageApply } from './image.js';
import { networkApply, subnetApply } from './network.js';
import { portApply } from './port.js';
import { routerApply } from './router.js';
import { securityGroupApply, securityGroupRulesApply } from './security-group.js';
import { serverApply } from './server.js';
import { volumeApply } from './volume.js';

/** Every kind that import can create. Flavors and volume types are only ever mapped. */
export const APPLIES: Partial<Record<KindName, KindApply>> = Object.fromEntries(
  [
    networkApply,
    subnetApply,
    routerApply,
    portApply,
    securityGroupApply,
    securityGroupRulesApply,
    floatingIpApply,
    keypairApply,
    serverGroupApply,
    imageApply,
    volumeApply,
    serverApply,
  ].map((k) => [k.kind, k]),
);
