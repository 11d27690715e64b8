export type { AvailabilityZone } from '../../common.js';
