/**
 * What the data-path and parallel benchmarks share: random image data, uploading it to `src`,
 * and one sample of a timed transfer with the checks that make it count.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import * as images from '../../src/openstack/image/images/index.js';
import type { Session } from '../../src/openstack/session/session.js';
import { MiB } from './figures.js';
import { failureOf, median, ok, type Run } from './measure.js';

export const MIN = 60_000;
const wait = { timeoutMs: 30 * MIN, intervalMs: 500, maxIntervalMs: 2_000 };

/** A generous limit for moving `mib` MiB: two minutes plus one second per MiB. */
export const limitFor = (mib: number) => 2 * MIN + mib * 1_000;

export interface Sample {
  ok: boolean;
  seconds: number;
  peakRssKiB?: number;
  failure?: string;
}

export async function randomFile(path: string, mib: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < mib; i++) if (!out.write(randomBytes(MiB))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

export async function uploadImage(session: Session, name: string, file: string): Promise<string> {
  const size = statSync(file).size;
  const image = await images.create(session, {
    name,
    disk_format: 'raw',
    container_format: 'bare',
    visibility: 'private',
  });
  await images.upload(session, image.id, {
    open: () => createReadStream(file),
    length: size,
    replayable: true,
  });
  await images.waitForImageStatus(session, image.id, 'active', wait);
  return image.id;
}

export function sampleOf(run: Run, problem?: string): Sample {
  const failure = !ok(run) ? failureOf(run) : problem;
  return {
    ok: failure === undefined,
    seconds: run.seconds,
    ...(run.peakRssKiB === undefined ? {} : { peakRssKiB: run.peakRssKiB }),
    ...(failure === undefined ? {} : { failure }),
  };
}

export function fileProblem(path: string, bytes: number): string | undefined {
  try {
    const size = statSync(path).size;
    return size === bytes ? undefined : `wrote ${size} bytes, expected ${bytes}`;
  } catch {
    return 'wrote no file';
  }
}

export type Samples = Map<string, Sample[]>;

export const medianOk = (samples: Sample[] | undefined) =>
  median((samples ?? []).filter((s) => s.ok).map((s) => s.seconds));
export const failures = (samples: Sample[] | undefined) =>
  [...new Set((samples ?? []).flatMap((s) => (s.failure ? [s.failure] : [])))].join('; ');
