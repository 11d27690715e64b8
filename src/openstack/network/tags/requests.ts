import { withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type { TaggableResource } from './types.js';
import * as urls from './urls.js';

export async function getTags(
  session: Session,
  type: TaggableResource,
  id: string,
  options: RequestOptions = {},
): Promise<string[]> {
  const res = await session.json<{ tags?: string[] }>('network', {
    path: urls.tags(type, id),
    ok: [200],
    ...withSignal(options),
  });
  return res.data?.tags ?? [];
}

/** Add one tag (at most 255 characters); adding one it already has is not an error. */
export async function addTag(
  session: Session,
  type: TaggableResource,
  id: string,
  tag: string,
  options: RequestOptions = {},
): Promise<void> {
  await session.json<unknown>('network', {
    method: 'PUT',
    path: urls.tag(type, id, tag),
    ok: [201],
    ...withSignal(options),
  });
}

/** Replace every tag of the resource. */
export async function setTags(
  session: Session,
  type: TaggableResource,
  id: string,
  tags: readonly string[],
  options: RequestOptions = {},
): Promise<string[]> {
  const res = await session.json<{ tags?: string[] }>('network', {
    method: 'PUT',
    path: urls.tags(type, id),
    json: { tags },
    ok: [200],
    ...withSignal(options),
  });
  return res.data?.tags ?? [...tags];
}

export async function removeTag(
  session: Session,
  type: TaggableResource,
  id: string,
  tag: string,
  options: RequestOptions = {},
): Promise<void> {
  await session.json<unknown>('network', {
    method: 'DELETE',
    path: urls.tag(type, id, tag),
    ok: [204],
    ...withSignal(options),
  });
}

export async function removeAllTags(
  session: Session,
  type: TaggableResource,
  id: string,
  options: RequestOptions = {},
): Promise<void> {
  await session.json<unknown>('network', {
    method: 'DELETE',
    path: urls.tags(type, id),
    ok: [204],
    ...withSignal(options),
  });
}
