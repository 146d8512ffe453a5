/** Exponential backoff settings, in ms. */
export interface BackoffPolicy {
  /** First delay. Default 250 (the upstream dial interval). */
  readonly initialMs: number;
  /** Cap. Default 30000. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 250, maxMs: 30_000 });

/**
 * Delay before retry number `attempt` (0-based): `initialMs · 2^attempt` capped at
 * `maxMs`, with "equal jitter" (half fixed, half random) so drivers that crashed
 * together do not restart in lock-step, yet a delay never drops below half its step.
 */
export function computeBackoffMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (step / 2) * random());
}
