/**
 * Throwaway projects, for tests that touch a whole project (quotas, the default security group)
 * or must see it alone: made through the `admin` cloud with a member user of their own, whose
 * entry goes into a clouds.yaml of the test's. Downpour itself only ever uses the member.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { stringify as stringifyYaml } from 'yaml';
import { identityV3 } from '../../src/openstack/common.js';
import { isNotFound } from '../../src/openstack/http/errors.js';
import * as securityGroups from '../../src/openstack/network/security-groups/index.js';
import type { Session } from '../../src/openstack/session/session.js';

/** A clouds.yaml of the test's: entries modelled on `template`, one per throwaway project. */
export interface ThrowawayClouds {
  file: string;
  template: Record<string, unknown>;
  entries: Record<string, unknown>;
}

export interface Throwaway {
  name: string;
  projectId: string;
  userId: string;
}

/** An admin-made project, and a user of the same name and `password` who is its member. */
export async function createProjectWithMember(
  admin: Session,
  name: string,
  password: string,
  description: string,
): Promise<{ projectId: string; userId: string }> {
  const v3 = await identityV3(admin);
  const project = (
    await admin.json<{ project: { id: string } }>('identity', {
      method: 'POST',
      path: `${v3}/projects`,
      json: { project: { name, domain_id: 'default', description } },
      ok: [201],
    })
  ).data.project;
  const user = (
    await admin.json<{ user: { id: string } }>('identity', {
      method: 'POST',
      path: `${v3}/users`,
      json: { user: { name, password, domain_id: 'default', default_project_id: project.id } },
      ok: [201],
    })
  ).data.user;
  const roles = (
    await admin.json<{ roles: { id: string }[] }>('identity', {
      path: `${v3}/roles`,
      query: { name: 'member' },
    })
  ).data.roles;
  const member = roles[0];
  if (!member) throw new Error('the cloud has no "member" role');
  await admin.json('identity', {
    method: 'PUT',
    path: `${v3}/projects/${project.id}/users/${user.id}/roles/${member.id}`,
    ok: [204],
  });
  return { projectId: project.id, userId: user.id };
}

/** An admin-made project with a member user; its cloud entry (named like the project) goes into `clouds`. */
export async function createThrowaway(
  admin: Session,
  name: string,
  clouds: ThrowawayClouds,
): Promise<Throwaway> {
  const password = randomBytes(24).toString('base64url');
  const made = await createProjectWithMember(admin, name, password, 'downpour import test, throwaway');
  const entry = structuredClone(clouds.template) as { auth: Record<string, unknown> };
  entry.auth = { ...entry.auth, username: name, password, project_name: name };
  clouds.entries[name] = entry;
  await writeFile(clouds.file, stringifyYaml({ clouds: clouds.entries }), { mode: 0o600 });
  return { name, ...made };
}

/** The project's leftovers that no member may delete (its default security group), then the user and project. */
export async function deleteThrowaway(
  admin: Session,
  t: Pick<Throwaway, 'projectId' | 'userId'>,
): Promise<void> {
  const v3 = await identityV3(admin);
  for await (const g of securityGroups.list(admin, { project_id: t.projectId }))
    await securityGroups.remove(admin, g.id).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  for (const path of [`${v3}/users/${t.userId}`, `${v3}/projects/${t.projectId}`])
    await admin.json('identity', { method: 'DELETE', path, ok: [204, 404] });
}
