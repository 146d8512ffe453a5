/** Reconnect delays (the session protocol): start 100 ms, double per failed attempt, cap 5 s. */
export const RECONNECT_INITIAL_DELAY_MS = 100;
export const RECONNECT_MAX_DELAY_MS = 5_000;

/**
 * The delay before reconnect attempt `attempt` (0-based): "full jitter" between half and all
 * of the capped exponential step, so many sandboxes reconnecting to a restarted gateway spread out.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_INITIAL_DELAY_MS * 2 ** Math.min(attempt, 16));
  return Math.round(step / 2 + (random() * step) / 2);
}
