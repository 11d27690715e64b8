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
