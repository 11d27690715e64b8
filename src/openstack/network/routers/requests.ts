import { bodyObject, envelope, neutronResource, withSignal, type RequestOptions } from '../../common.js';
import type { Session } from '../../session/session.js';
import type {
  CreateRouterInput,
  ListRoutersOptions,
  Router,
  RouterInterface,
  RouterInterfaceInput,
  RouterRoute,
  UpdateRouterInput,
} from './types.js';
import * as urls from './urls.js';

const api = neutronResource<Router, CreateRouterInput, UpdateRouterInput, ListRoutersOptions>({
  key: 'router',
  listKey: 'routers',
  what: 'router',
  collection: urls.routers,
  item: urls.router,
});

export const list = api.list;
export const get = api.get;
export const create = api.create;
/** Sets the gateway (`external_gateway_info`) and replaces static routes (`routes`). */
export const update = api.update;
/** 409 while interfaces remain: remove them first. */
export const remove = api.remove;

async function changeInterface(
  session: Session,
  path: string,
  input: RouterInterfaceInput,
  options: RequestOptions,
): Promise<RouterInterface> {
  const res = await session.json<unknown>('network', {
    method: 'PUT',
    path,
    json: input,
    ok: [200],
    ...withSignal(options),
  });
  return bodyObject<RouterInterface>(res, `PUT ${path}`);
}

export function addInterface(
  session: Session,
  id: string,
  input: RouterInterfaceInput,
  options: RequestOptions = {},
): Promise<RouterInterface> {
  return changeInterface(session, urls.addInterface(id), input, options);
}

export function removeInterface(
  session: Session,
  id: string,
  input: RouterInterfaceInput,
  options: RequestOptions = {},
): Promise<RouterInterface> {
  return changeInterface(session, urls.removeInterface(id), input, options);
}

async function changeRoutes(
  session: Session,
  path: string,
  routes: readonly RouterRoute[],
  options: RequestOptions,
): Promise<Router> {
  const res = await session.json<unknown>('network', {
    method: 'PUT',
    path,
    json: { router: { routes } },
    ok: [200],
    ...withSignal(options),
  });
  return envelope<Router>(res, 'router', `PUT ${path}`);
}

/**
 * Add static routes without replacing the others (extraroute-atomic); prefer it to `update`
 * with `routes` when another client may edit the same router.
 */
export function addExtraRoutes(
  session: Session,
  id: string,
  routes: readonly RouterRoute[],
  options: RequestOptions = {},
): Promise<Router> {
  return changeRoutes(session, urls.addExtraRoutes(id), routes, options);
}

export function removeExtraRoutes(
  session: Session,
  id: string,
  routes: readonly RouterRoute[],
  options: RequestOptions = {},
): Promise<Router> {
  return changeRoutes(session, urls.removeExtraRoutes(id), routes, options);
}
