import { sleep } from '../../core/sleep.js';

/**
 * How long a request may still be under way at the cloud after the run that sent it was
 * killed: the request outlives the process (a loaded Neutron took 20 s to make a port). What a
 * rerun finds missing within this time may yet appear, so it is looked for again, not made twice.
 */
export const IN_FLIGHT_MS = 30_000;

/**
 * Looks with `check` every 2 s until it answers true (landed) or false (never will), or until a
 * request sent now would be IN_FLIGHT_MS old; undefined counts as "not yet".
 */
export async function landsInFlight(
  check: () => Promise<boolean | undefined>,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + IN_FLIGHT_MS;
  for (;;) {
    const seen = await check();
    if (seen !== undefined) return seen;
    if (Date.now() > deadline) return false;
    await sleep(2_000, signal);
  }
}
