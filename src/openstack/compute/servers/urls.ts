/** Paths relative to the Nova endpoint (`…/v2.1`). */
const e = encodeURIComponent;

export const servers = (): string => 'servers';
export const serversDetail = (): string => 'servers/detail';
export const server = (id: string): string => `servers/${e(id)}`;
export const action = (id: string): string => `servers/${e(id)}/action`;
export const tags = (id: string): string => `servers/${e(id)}/tags`;
export const tag = (id: string, name: string): string => `servers/${e(id)}/tags/${e(name)}`;
export const metadata = (id: string): string => `servers/${e(id)}/metadata`;
export const volumeAttachments = (id: string): string => `servers/${e(id)}/os-volume_attachments`;
export const volumeAttachment = (id: string, volumeId: string): string =>
  `servers/${e(id)}/os-volume_attachments/${e(volumeId)}`;
export const interfaces = (id: string): string => `servers/${e(id)}/os-interface`;
