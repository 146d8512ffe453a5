import type { DriverPlatformEvent, DriverSandbox, WatchSandboxesEvent } from '../gen/compute_driver.js';
import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import { WatchSubscription } from './watch-subscription.js';

/** Default events one subscriber may have queued before it is ended with ABORTED. */
export const DEFAULT_WATCH_BUFFER_SIZE = 1024;

export interface WatchHubOptions {
  /** Current sandboxes; called once per new subscriber. */
  snapshot: () => Promise<readonly DriverSandbox[]> | readonly DriverSandbox[];
  /** Events one subscriber may have queued before it is ended with ABORTED. Default 1024. */
  bufferSize?: number;
  logger?: Logger;
}

/**
 * Fans driver events out to every `WatchSandboxes` stream. Each subscriber gets a full
 * snapshot, then live events, through its own bounded queue: publishing never waits on a
 * consumer, and a consumer that falls `bufferSize` events behind is ended with
 * {@link WatchSubscriberLaggedError} (ABORTED) so the gateway reconnects and re-snapshots.
 *
 * Events are shared between subscribers, not copied per subscriber; consumers must treat
 * them as read-only.
 */
export class WatchHub {
  readonly #snapshot: WatchHubOptions['snapshot'];
  readonly #bufferSize: number;
  readonly #logger: Logger;
  readonly #subscriptions = new Set<WatchSubscription>();
  #nextSubscriberId = 1;
  #isClosed = false;

  constructor(options: WatchHubOptions) {
    const bufferSize = options.bufferSize ?? DEFAULT_WATCH_BUFFER_SIZE;
    if (!Number.isSafeInteger(bufferSize) || bufferSize < 1) {
      throw new RangeError(`WatchHub bufferSize must be a positive integer, got ${String(bufferSize)}`);
    }
    this.#snapshot = options.snapshot;
    this.#bufferSize = bufferSize;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'watch-hub' });
  }

  /**
   * Full snapshot (one `sandbox` event per sandbox) then live events, until signal aborts or
   * close(). Throws WatchSubscriberLaggedError when this subscriber overflows its buffer.
   * Each iteration of the returned iterable is its own subscription.
   */
  subscribe(signal?: AbortSignal): AsyncIterable<WatchSandboxesEvent> {
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<WatchSandboxesEvent> => this.#open(signal),
    };
  }

  #open(signal: AbortSignal | undefined): AsyncIterator<WatchSandboxesEvent> {
    const subscriberId = this.#nextSubscriberId++;
    const subscription = new WatchSubscription({
      bufferSize: this.#bufferSize,
      logger: this.#logger.child({ subscriberId }),
      onFinish: (finished) => this.#subscriptions.delete(finished),
    });
    if (this.#isClosed || signal?.aborted === true) {
      subscription.end();
      return subscription;
    }
    // Register before taking the snapshot: an event published while the snapshot is being
    // read is queued rather than lost. Replaying it after the snapshot is harmless because
    // sandbox events are idempotent upserts.
    this.#subscriptions.add(subscription);
    subscription.bindSignal(signal);
    subscription.startSnapshot(this.#snapshot);
    return subscription;
  }

  /** Publishes the current state of one sandbox (an upsert) to every subscriber. */
  publishSandbox(sandbox: DriverSandbox): void {
    // One copy per publish, not per subscriber: the caller may keep mutating its record.
    this.#publish({ payload: { $case: 'sandbox', sandbox: { sandbox: structuredClone(sandbox) } } });
  }

  /** Publishes that a sandbox is gone from the backend. */
  publishDeleted(sandboxId: string): void {
    this.#publish({ payload: { $case: 'deleted', deleted: { sandboxId } } });
  }

  /** Publishes an engine event about a sandbox (pull progress, OOM kill, ...). */
  publishPlatformEvent(sandboxId: string, event: DriverPlatformEvent): void {
    this.#publish({
      payload: { $case: 'platformEvent', platformEvent: { sandboxId, event: structuredClone(event) } },
    });
  }

  /** Subscribers currently attached (lagged, aborted and returned ones are gone). */
  get subscriberCount(): number {
    return this.#subscriptions.size;
  }

  /** Ends every subscriber's stream normally; later subscribes end immediately. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    // end() removes each subscription from the set through onFinish; iterate a copy.
    for (const subscription of [...this.#subscriptions]) subscription.end();
    this.#logger.debug('watch hub closed');
  }

  #publish(event: WatchSandboxesEvent): void {
    if (this.#isClosed) return;
    // Iterating a Set while enqueue() deletes the current entry (on lag) is well-defined.
    for (const subscription of this.#subscriptions) subscription.enqueue(event);
  }
}
