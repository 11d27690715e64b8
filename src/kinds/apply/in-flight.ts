/**
 * How long a request may still be under way at the cloud after the run that sent it was
 * killed: the request outlives the process (a loaded Neutron took 20 s to make a port). What a
 * rerun finds missing within this time may yet appear, so it is looked for again, not made twice.
 */
export const IN_FLIGHT_MS = 30_000;
