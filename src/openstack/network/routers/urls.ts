/** Relative to the Neutron endpoint. */
const e = encodeURIComponent;

export const routers = (): string => 'routers';
export const router = (id: string): string => `routers/${e(id)}`;
export const addInterface = (id: string): string => `routers/${e(id)}/add_router_interface`;
export const removeInterface = (id: string): string => `routers/${e(id)}/remove_router_interface`;
export const addExtraRoutes = (id: string): string => `routers/${e(id)}/add_extraroutes`;
export const removeExtraRoutes = (id: string): string => `routers/${e(id)}/remove_extraroutes`;
