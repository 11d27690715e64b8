/**
 * Swift container ACLs name projects and users by id (Keystone's `project:user`), which mean
 * nothing at another cloud. The source project and the exporting user become the destination
 * project and the importing user; referrer and listing entries (`.r:*`, `.rlistings`) carry as
 * they are; any other project or user is dropped and reported, never copied blindly.
 */

export interface AclParty {
  project_id: string;
  project_name?: string | null | undefined;
  user_id?: string | null | undefined;
}

export interface MappedAcl {
  /** The ACL to set at the destination ('' when nothing is left). */
  value: string;
  dropped: string[];
}

export function mapAcl(acl: string, source: AclParty, destination: AclParty): MappedAcl {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const raw of acl.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    if (entry.startsWith('.')) {
      kept.push(entry);
      continue;
    }
    const i = entry.indexOf(':');
    if (i < 0) {
      dropped.push(entry);
      continue;
    }
    const project = entry.slice(0, i);
    const user = entry.slice(i + 1);
    const p =
      project === '*'
        ? '*'
        : project === source.project_id
          ? destination.project_id
          : source.project_name && project === source.project_name && destination.project_name
            ? destination.project_name
            : undefined;
    const u =
      user === '*' ? '*' : source.user_id && user === source.user_id ? destination.user_id : undefined;
    if (p && u) kept.push(`${p}:${u}`);
    else dropped.push(entry);
  }
  return { value: kept.join(','), dropped };
}
