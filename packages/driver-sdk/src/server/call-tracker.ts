import type { ShellgateError } from '../errors.js';

/** What kind of call a tracked call is; drain treats them differently. */
export type CallKind = 'unary' | 'stream';

/**
 * One call in flight: its abort signal, `abort()` for the call's own reasons (a client
 * cancel), and `finish()` to call exactly once when it ends.
 */
export interface TrackedCall {
  readonly signal: AbortSignal;
  abort(reason: ShellgateError): void;
  finish(): void;
}

/**
 * A call in flight. Drain and client cancel share its one AbortController (joining two with
 * AbortSignal.any cost a measurable share of a GetCapabilities hop, bench/src/rpc-latency.ts),
 * and the controller is only made when `signal` is first read: most unary handlers never
 * read it. An abort before then is kept and applied to the signal when it is made.
 */
class ActiveCall implements TrackedCall {
  private controller: AbortController | undefined;
  private pendingReason: ShellgateError | undefined;

  constructor(
    readonly kind: CallKind,
    private readonly onFinish: (call: ActiveCall) => void,
  ) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.pendingReason !== undefined) this.controller.abort(this.pendingReason);
    }
    return this.controller.signal;
  }

  /** The first reason wins, as with AbortController. */
  abort(reason: ShellgateError): void {
    if (this.controller !== undefined) this.controller.abort(reason);
    else this.pendingReason ??= reason;
  }

  finish(): void {
    this.onFinish(this);
  }
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
    const entry = new ActiveCall(kind, this.onFinish);
    this.active.add(entry);
    return entry;
  }

  private readonly onFinish = (entry: ActiveCall): void => {
    this.active.delete(entry);
    if (this.active.size === 0) this.notifyIdle();
  };

  /** Refuse new calls from now on. */
  startDrain(): void {
    this.draining = true;
  }

  /** Aborts calls of `kind` (every call when omitted) with `reason`, a ShellgateError handlers can rethrow. */
  abort(reason: ShellgateError, kind?: CallKind): void {
    for (const entry of this.active) {
      if (kind === undefined || entry.kind === kind) entry.abort(reason);
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
