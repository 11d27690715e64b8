import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SearchEnvironment {
  env: Record<string, string | undefined>;
  cwd: string;
  home: string;
}

export function defaultSearchEnvironment(): SearchEnvironment {
  return { env: process.env, cwd: process.cwd(), home: homedir() };
}

/** The folders the `openstack` CLI (openstacksdk) searches, in its order. */
export function configDirectories(se: SearchEnvironment): string[] {
  const xdgConfig = se.env['XDG_CONFIG_HOME'] || join(se.home, '.config');
  const dirs = [
    se.cwd,
    join(xdgConfig, 'openstack'),
    join(se.home, '.config', 'openstack'),
    '/etc/xdg/openstack',
    '/etc/openstack',
  ];
  return [...new Set(dirs)];
}

function candidates(se: SearchEnvironment, base: string, envVar: string): string[] {
  const files: string[] = [];
  const explicit = se.env[envVar];
  if (explicit) files.push(explicit);
  for (const dir of configDirectories(se)) {
    for (const ext of ['yaml', 'yml', 'json']) files.push(join(dir, `${base}.${ext}`));
  }
  return files;
}

function firstReadable(files: string[]): string | undefined {
  for (const file of files) {
    try {
      accessSync(file, constants.R_OK);
      return file;
    } catch {
      // not there or not readable: keep looking, as the openstack CLI does
    }
  }
  return undefined;
}

export const findCloudsFile = (se: SearchEnvironment) =>
  firstReadable(candidates(se, 'clouds', 'OS_CLIENT_CONFIG_FILE'));
export const findSecureFile = (se: SearchEnvironment) =>
  firstReadable(candidates(se, 'secure', 'OS_CLIENT_SECURE_FILE'));
export const findPublicCloudsFile = (se: SearchEnvironment) =>
  firstReadable(candidates(se, 'clouds-public', 'OS_CLIENT_PUBLIC_FILE'));
/** Every place searched, for the error that says none was found. */
export const cloudsSearchList = (se: SearchEnvironment) => candidates(se, 'clouds', 'OS_CLIENT_CONFIG_FILE');
