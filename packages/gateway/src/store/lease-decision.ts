import { LeaseLostError } from './errors.js';
import type { Lease, LeaseFence } from './coordination-store.js';

/**
 * What acquiring `name` for `holder` at `nowMs` does to the stored lease: both stores apply
 * the same rules, each inside its own transaction. Undefined: held by someone else, unchanged.
 */
export function decideLeaseAcquire(current: Lease | undefined, name: string, holder: string, nowMs: number, ttlMs: number): Lease | undefined {
  const expiresAtMs = nowMs + ttlMs;
  if (current === undefined) return { name, holder, epoch: 1, expiresAtMs, acquiredAtMs: nowMs };
  const isLive = current.expiresAtMs > nowMs;
  if (isLive && current.holder === holder) return { ...current, expiresAtMs };
  if (isLive) return undefined;
  return { name, holder, epoch: current.epoch + 1, expiresAtMs, acquiredAtMs: nowMs };
}

/** True when `fence` names the live lease `current`: same holder and epoch, not expired. */
export function isLeaseHeld(current: Lease | undefined, fence: LeaseFence, nowMs: number): current is Lease {
  return current !== undefined && current.holder === fence.holder && current.epoch === fence.epoch && current.expiresAtMs > nowMs;
}

/** Throws LeaseLostError unless `fence` names the live lease `current`. */
export function checkLeaseFence(current: Lease | undefined, fence: LeaseFence, nowMs: number): asserts current is Lease {
  if (!isLeaseHeld(current, fence, nowMs)) throw new LeaseLostError(fence.name, fence.holder, fence.epoch, current);
}
