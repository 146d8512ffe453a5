/**
 * How much of each backoff step is random. `full`: anywhere in [0, step], which spreads a
 * crowd of clients that failed together the most (many supervisors reconnecting to one
 * restarted gateway). `equal`: in [step/2, step], still spread but never below half a step,
 * for a retry that must not hammer what it waits for (a crash-looping driver, a restarting
 * engine). `none`: exactly the step, for tests and lone clients.
 */
export const BackoffJitter = { Full: 'full', Equal: 'equal', None: 'none' } as const;
export type BackoffJitter = (typeof BackoffJitter)[keyof typeof BackoffJitter];

/** Capped exponential backoff: step `initialMs · 2^attempt`, at most `maxMs`, then jitter. */
export interface BackoffPolicy {
  /** The step of attempt 0, in ms; > 0. */
  readonly initialMs: number;
  /** The cap on a step, in ms; >= initialMs. */
  readonly maxMs: number;
  readonly jitter: BackoffJitter;
}

/** Steps stop doubling here; 2^30 times any sane initialMs is past every cap. */
const MAX_EXPONENT = 30;

/**
 * The delay before retry `attempt` (0-based: the first retry waits about `initialMs`), in
 * whole ms. `random` returns [0, 1) like `Math.random`; tests pass a fixed one.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const { initialMs, maxMs, jitter } = policy;
  if (!(initialMs > 0) || !(maxMs >= initialMs)) {
    throw new RangeError(`backoff needs 0 < initialMs <= maxMs, got initialMs=${String(initialMs)} maxMs=${String(maxMs)}`);
  }
  const step = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt, 0), MAX_EXPONENT));
  switch (jitter) {
    case BackoffJitter.Full:
      return Math.round(random() * step);
    case BackoffJitter.Equal:
      return Math.round(step / 2 + (random() * step) / 2);
    case BackoffJitter.None:
      return Math.round(step);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). The seam tests replace. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** A real-timer {@link Sleep}. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
