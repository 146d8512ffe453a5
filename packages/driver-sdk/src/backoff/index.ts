export { BackoffJitter, abortableSleep, backoffDelayMs } from './backoff.js';
export type { BackoffPolicy, Sleep } from './backoff.js';
export { waitUnlessAborted } from './wait-unless-aborted.js';
export { drainInFlightCreates } from './drain-in-flight-creates.js';
export type { InFlightCreate } from './drain-in-flight-creates.js';
