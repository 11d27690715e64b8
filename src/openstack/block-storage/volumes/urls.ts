/** Paths relative to the Cinder endpoint, which already holds `/v3/{project_id}`. */
const e = encodeURIComponent;

export const volumes = (): string => 'volumes';
export const volumesDetail = (): string => 'volumes/detail';
export const volume = (id: string): string => `volumes/${e(id)}`;
export const action = (id: string): string => `volumes/${e(id)}/action`;
export const metadata = (id: string): string => `volumes/${e(id)}/metadata`;
