import { compareVersions } from '../../core/versions.js';

export { compareVersions, parseVersion } from '../../core/versions.js';

export interface VersionRange {
  min: string;
  max: string;
}

/**
 * min(client max, server max), or undefined when the ranges do not meet or the service has no
 * microversions (then no header is sent and the service uses its minimum).
 */
export function negotiate(clientMax: string, server: VersionRange | undefined): string | undefined {
  if (!server || !server.max) return undefined;
  if (compareVersions(clientMax, server.min) < 0) return undefined;
  return compareVersions(clientMax, server.max) <= 0 ? clientMax : server.max;
}

/** Headers that carry a microversion for a service type (new and legacy forms, as keystoneauth sends). */
export function microversionHeaders(serviceType: string, version: string): Record<string, string> {
  switch (serviceType) {
    case 'compute':
      return { 'openstack-api-version': `compute ${version}`, 'x-openstack-nova-api-version': version };
    case 'block-storage':
      // Cinder names itself "volume" in this header, whatever its catalog type.
      return { 'openstack-api-version': `volume ${version}` };
    case 'placement':
      return { 'openstack-api-version': `placement ${version}` };
    default:
      return { 'openstack-api-version': `${serviceType} ${version}` };
  }
}
