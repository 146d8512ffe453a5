import { BackoffJitter } from '@shellgate/driver-sdk/backoff';
import type { BackoffPolicy } from '@shellgate/driver-sdk/backoff';

/**
 * Reconnect delays of the session (also grpc-js's channel backoff): 100 ms doubling per
 * failed attempt to 5 s. Full jitter, anywhere in [0, step]: when a gateway restarts, the
 * session of every sandbox it serves drops at the same moment, and full jitter spreads that
 * crowd's reconnects the most. No floor is needed: the step doubles on every failed dial.
 */
export const RECONNECT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 100, maxMs: 5_000, jitter: BackoffJitter.Full });

/**
 * Delays between a superseded supervisor's attempts to resume (hello with
 * resume_only_if_free): 1 s doubling to 30 s. Equal jitter, never below half a step: the
 * gateway refuses each attempt while the newer session lives, which may be for long.
 */
export const RESUME_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 1_000, maxMs: 30_000, jitter: BackoffJitter.Equal });
