import type { ShellgateError } from '../errors.js';

/** What kind of call a tracked call is; drain treats them differently. */
export type CallKind = 'unary' | 'stream';

/** One call in flight: its abort signal, and `finish()` to call exactly once when it ends. */
export interface TrackedCall {
  readonly signal: AbortSignal;
  finish(): void;
}

interface ActiveCall {
  readonly kind: CallKind;
  readonly controller: AbortController;
}

/**
 * Knows every call in flight so the server can drain: new calls are refused once draining
 * starts, streams are ended, and calls still running when the drain bound passes are aborted.
 */
export class CallTracker {
  private readonly active = new Set<ActiveCall>();
  private idleWaiters: (() => void)[] = [];
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  get size(): number {
    return this.active.size;
  }

  begin(kind: CallKind): TrackedCall {
    const entry: ActiveCall = { kind, controller: new AbortController() };
    this.active.add(entry);
    return {
      signal: entry.controller.signal,
      finish: () => {
        this.active.delete(entry);
        if (this.active.size === 0) this.notifyIdle();
      },
    };
  }

  /** Refuse new calls from now on. */
  startDrain(): void {
    this.draining = true;
  }

  /** Aborts calls of `kind` (every call when omitted) with `reason`, a ShellgateError handlers can rethrow. */
  abort(reason: ShellgateError, kind?: CallKind): void {
    for (const entry of this.active) {
      if (kind === undefined || entry.kind === kind) entry.controller.abort(reason);
    }
  }

  /** Resolves true once no call is in flight, or false when `timeoutMs` passes first. */
  waitForIdle(timeoutMs: number): Promise<boolean> {
    if (this.active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== onIdle);
        resolve(false);
      }, timeoutMs);
      const onIdle = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(onIdle);
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
