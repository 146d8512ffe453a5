import { WatchSubscriberLaggedError } from '../errors.js';
import type { DriverSandbox, WatchSandboxesEvent } from '../gen/compute_driver.js';
import type { Logger } from '../logging/logger.js';

/** Where a subscription is in its life; `done` means the consumer has been told it ended. */
const SubscriptionState = {
  Open: 'open',
  Ending: 'ending',
  Lagged: 'lagged',
  Done: 'done',
} as const;
type SubscriptionState = (typeof SubscriptionState)[keyof typeof SubscriptionState];

type SnapshotResult =
  | { isOk: true; sandboxes: readonly DriverSandbox[]; index: number }
  | { isOk: false; error: unknown };

export interface WatchSubscriptionOptions {
  bufferSize: number;
  logger: Logger;
  /** Called once when the subscription stops receiving events, whatever the reason. */
  onFinish: (subscription: WatchSubscription) => void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

// Below this many consumed slots the dead prefix of the queue is not worth reclaiming.
const COMPACT_THRESHOLD = 256;

function toSandboxEvent(sandbox: DriverSandbox): WatchSandboxesEvent {
  return { payload: { $case: 'sandbox', sandbox: { sandbox } } };
}

/**
 * One `WatchSandboxes` consumer of a WatchHub: a bounded FIFO the hub pushes into without
 * waiting, read through the async-iterator protocol. Internal to the watch folder.
 */
export class WatchSubscription implements AsyncIterableIterator<WatchSandboxesEvent> {
  readonly #bufferSize: number;
  readonly #logger: Logger;
  readonly #onFinish: (subscription: WatchSubscription) => void;
  // A plain array plus a read index: O(1) enqueue and dequeue without Array#shift's copying.
  #queue: (WatchSandboxesEvent | undefined)[] = [];
  #head = 0;
  #state: SubscriptionState = SubscriptionState.Open;
  #snapshot: SnapshotResult | undefined;
  #wake: (() => void) | undefined;
  #detachSignal: (() => void) | undefined;
  #isReleased = false;
  // Serialises next() calls so two concurrent pulls never interleave.
  #pulling: Promise<unknown> = Promise.resolve();

  constructor(options: WatchSubscriptionOptions) {
    this.#bufferSize = options.bufferSize;
    this.#logger = options.logger;
    this.#onFinish = options.onFinish;
  }

  /** Ends the stream normally when `signal` aborts. */
  bindSignal(signal: AbortSignal | undefined): void {
    if (signal === undefined) return;
    const onAbort = (): void => this.end();
    signal.addEventListener('abort', onAbort, { once: true });
    this.#detachSignal = () => signal.removeEventListener('abort', onAbort);
  }

  /** Starts reading the snapshot; a synchronous throw becomes a stream error too. */
  startSnapshot(read: () => Promise<readonly DriverSandbox[]> | readonly DriverSandbox[]): void {
    const pending = (async () => read())();
    pending.then(
      (sandboxes) => {
        this.#snapshot = { isOk: true, sandboxes, index: 0 };
        this.#notify();
      },
      (error: unknown) => {
        this.#snapshot = { isOk: false, error };
        this.#notify();
      },
    );
  }

  /** Queues a live event; ends the subscription as lagged if its buffer is already full. */
  enqueue(event: WatchSandboxesEvent): void {
    if (this.#state !== SubscriptionState.Open) return;
    if (this.#queue.length - this.#head >= this.#bufferSize) {
      this.#state = SubscriptionState.Lagged;
      this.#logger.warn('watch subscriber fell behind; ending its stream with ABORTED', {
        bufferSize: this.#bufferSize,
      });
      this.#release();
      return;
    }
    this.#queue.push(event);
    this.#notify();
  }

  /** Ends the stream normally (hub closed or signal aborted); queued events are dropped. */
  end(): void {
    if (this.#state !== SubscriptionState.Open) return;
    this.#state = SubscriptionState.Ending;
    this.#release();
  }

  next(): Promise<IteratorResult<WatchSandboxesEvent>> {
    const result = this.#pulling.then(() => this.#pull());
    this.#pulling = result.catch(() => undefined);
    return result;
  }

  /** Called by `for await` on break/throw: unsubscribes at once. */
  return(): Promise<IteratorResult<WatchSandboxesEvent>> {
    this.#state = SubscriptionState.Done;
    this.#release();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WatchSandboxesEvent> {
    return this;
  }

  async #pull(): Promise<IteratorResult<WatchSandboxesEvent>> {
    for (;;) {
      switch (this.#state) {
        case SubscriptionState.Done:
          return DONE;
        case SubscriptionState.Ending:
          this.#state = SubscriptionState.Done;
          return DONE;
        case SubscriptionState.Lagged:
          this.#state = SubscriptionState.Done;
          throw new WatchSubscriberLaggedError(this.#bufferSize);
        case SubscriptionState.Open:
          break;
      }
      const event = this.#takeNext();
      if (event !== undefined) return { done: false, value: event };
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** The next snapshot or live event, if one is ready; throws a failed snapshot's error. */
  #takeNext(): WatchSandboxesEvent | undefined {
    const snapshot = this.#snapshot;
    // Live events wait until the snapshot has been read and fully delivered.
    if (snapshot === undefined) return undefined;
    if (!snapshot.isOk) {
      this.#state = SubscriptionState.Done;
      this.#release();
      throw snapshot.error;
    }
    const sandbox = snapshot.sandboxes[snapshot.index];
    if (sandbox !== undefined) {
      snapshot.index += 1;
      return toSandboxEvent(sandbox);
    }
    if (this.#head >= this.#queue.length) return undefined;
    const event = this.#queue[this.#head];
    this.#queue[this.#head] = undefined;
    this.#head += 1;
    this.#compact();
    return event;
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= COMPACT_THRESHOLD && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Detaches from the hub and the signal and frees the queue; idempotent. */
  #release(): void {
    if (!this.#isReleased) {
      this.#isReleased = true;
      this.#detachSignal?.();
      this.#detachSignal = undefined;
      this.#queue = [];
      this.#head = 0;
      this.#onFinish(this);
      this.#logger.debug('watch subscriber detached', { state: this.#state });
    }
    this.#notify();
  }
}
