import { FakeGatewayClosedError, FakeGatewayTimeoutError } from './errors.js';

/** Registers a listener called after every change; returns the unsubscribe function. */
export type SubscribeToChanges = (listener: () => void) => () => void;

export interface WaitForChangeOptions {
  /** Named in errors, e.g. `sandbox "sbx-1" in phase Ready`. */
  readonly awaited: string;
  readonly timeoutMs: number;
  /** The state to quote when the wait times out. */
  readonly describeLastSeen: () => string;
  readonly subscribe: SubscribeToChanges;
  /** Aborted when the owner closes; pending waits then reject with FakeGatewayClosedError. */
  readonly signal: AbortSignal;
}

/**
 * Resolves with the first value `check` returns other than `undefined`, re-checking after
 * every change; rejects with FakeGatewayTimeoutError after `timeoutMs`. Event driven: no polling.
 */
export function waitForChange<T>(check: () => T | undefined, options: WaitForChangeOptions): Promise<T> {
  if (options.signal.aborted) return Promise.reject(new FakeGatewayClosedError(options.awaited));
  const first = check();
  if (first !== undefined) return Promise.resolve(first);
  return new Promise<T>((resolve, reject) => {
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      unsubscribe();
      options.signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = (): void => finish(() => reject(new FakeGatewayClosedError(options.awaited)));
    const timer = setTimeout(() => {
      const lastSeen = options.describeLastSeen();
      finish(() => reject(new FakeGatewayTimeoutError(options.awaited, options.timeoutMs, lastSeen)));
    }, options.timeoutMs);
    const unsubscribe = options.subscribe(() => {
      try {
        const value = check();
        if (value !== undefined) finish(() => resolve(value));
      } catch (error) {
        // A throwing predicate fails its own wait, not the watch loop that notified it.
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
      }
    });
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
}
