import { BackoffJitter } from '@shellgate/driver-sdk/backoff';
import type { BackoffPolicy } from '@shellgate/driver-sdk/backoff';

/**
 * Reconnect delays of the session (also grpc-js's channel backoff): 100 ms doubling per
 * failed attempt to 5 s. Full jitter, anywhere in [0, step]: when a gateway restarts, the
 * session of every sandbox it serves drops at the same moment, and full jitter spreads that
 * crowd's reconnects the most. No floor is needed: the step doubles on every failed dial.
 */
export const RECONNECT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 100, maxMs: 5_000, jitter: BackoffJitter.Full });
