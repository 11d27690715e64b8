/** A microversion "X.Y" as a comparable pair. */
export function parseVersion(v: string): [number, number] {
  const m = /^v?(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) throw new Error(`not a version: ${v}`);
  return [Number(m[1]), Number(m[2] ?? 0)];
}

export function compareVersions(a: string, b: string): number {
  const [am, an] = parseVersion(a);
  const [bm, bn] = parseVersion(b);
  return am === bm ? an - bn : am - bm;
}

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
