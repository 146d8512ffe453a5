import { BackoffJitter, abortableSleep, backoffDelayMs } from '../backoff/backoff.js';
import type { BackoffPolicy, Sleep } from '../backoff/backoff.js';
import type { DriverPlatformEvent, DriverSandbox } from '../gen/compute_driver.js';
import type { LogFields, Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import type { SandboxTracker } from './sandbox-tracker.js';

/** What one platform event means for the watch; an adapter yields zero or more, in order. */
export type SandboxChange =
  /** The sandbox as it is now (an upsert; unchanged states are not republished). */
  | { readonly type: 'sandbox'; readonly sandbox: DriverSandbox }
  /** The sandbox is gone; late events for it are ignored until it is re-created. */
  | { readonly type: 'deleted'; readonly sandboxId: string }
  | { readonly type: 'platform-event'; readonly sandboxId: string; readonly event: DriverPlatformEvent }
  /** Events were lost (HTTP 410 Gone, a dropped buffer): relist once this event is applied. */
  | { readonly type: 'gap' };

/**
 * The platform side of an {@link EventStreamWatchSource}: a driver's only watch code. The
 * source opens the stream, resyncs, applies changes through the tracker and reconnects.
 */
export interface EventStreamAdapter<Event> {
  /**
   * Opens the event stream. It must deliver every event after it resolves (earlier ones are
   * covered by the resync that follows) and must end or throw once `signal` aborts. A stream
   * that can resume by itself (a Kubernetes watch from its last resourceVersion) may do so
   * inside the iterable; one that ends or throws is reopened after a backoff.
   */
  open(signal: AbortSignal): Promise<AsyncIterable<Event>>;
  /** Every sandbox the driver owns now, as ListSandboxes answers (in-flight creates included). */
  list(signal: AbortSignal): Promise<readonly DriverSandbox[]>;
  /** What `event` means; nothing for an event that changes nothing. May read the platform. */
  toChanges(event: Event, signal: AbortSignal): Iterable<SandboxChange> | AsyncIterable<SandboxChange>;
  /** Fields naming `event` in the log line when applying it failed. */
  describeEvent?(event: Event): LogFields;
}

export interface EventStreamWatchSourceOptions<Event> {
  readonly adapter: EventStreamAdapter<Event>;
  /** The driver's tracker; its own publishes (create, delete) go through the same one. */
  readonly tracker: SandboxTracker;
  readonly logger?: Logger;
  /** Reconnect delays; default {@link EVENT_STREAM_BACKOFF}. */
  readonly backoff?: BackoffPolicy;
  /** Waits between reconnects; a real timer by default. */
  readonly sleep?: Sleep;
  /** The backoff's jitter source; `Math.random` by default. */
  readonly random?: () => number;
}

/**
 * Reconnect delays of an event stream: 250 ms doubling to 5 s (upstream reconnects every
 * 2 s; we start faster). Equal jitter: a restarting engine is never retried sooner than half
 * a step, and the drivers of several gateways on one engine do not reconnect in lock-step.
 */
export const EVENT_STREAM_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 250, maxMs: 5_000, jitter: BackoffJitter.Equal });

/**
 * Turns a platform's event stream into watch events. Each (re)connect opens the stream first
 * and then resyncs (lists and publishes the differences, deletions included), so a change
 * made while disconnected is caught by the resync and one made after it by the stream. Events
 * are applied in order; a `gap` relists; a stream that ends or fails is reopened with capped,
 * jittered backoff until close().
 */
export class EventStreamWatchSource<Event> {
  readonly #adapter: EventStreamAdapter<Event>;
  readonly #tracker: SandboxTracker;
  readonly #logger: Logger;
  readonly #backoff: BackoffPolicy;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #connections = 0;

  constructor(options: EventStreamWatchSourceOptions<Event>) {
    this.#adapter = options.adapter;
    this.#tracker = options.tracker;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'event-stream-watch-source' });
    this.#backoff = options.backoff ?? EVENT_STREAM_BACKOFF;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#random = options.random ?? Math.random;
  }

  /** How many times the stream was opened (reconnects = this minus one). */
  get connections(): number {
    return this.#connections;
  }

  /** Starts following the stream in the background. Idempotent. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops following and waits for the loop to end. Idempotent. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const events = await this.#adapter.open(signal);
        this.#connections += 1;
        await this.#resync(signal);
        if (failures > 0) this.#logger.info('event stream reconnected and resynced', { afterFailures: failures });
        failures = 0;
        for await (const event of events) await this.#apply(event, signal);
        if (signal.aborted) return;
        this.#logger.warn('event stream ended; reconnecting');
      } catch (error) {
        if (signal.aborted) return;
        this.#logger.warn('event stream failed; reconnecting', { error, attempt: failures + 1 });
      }
      await this.#sleep(backoffDelayMs(failures, this.#backoff, this.#random), signal);
      failures += 1;
    }
  }

  /** Lists and publishes the differences, deleting only ids nothing published meanwhile. */
  async #resync(signal: AbortSignal): Promise<void> {
    const startedAt = this.#tracker.sequence;
    this.#tracker.publishListing(await this.#adapter.list(signal), startedAt);
  }

  /**
   * Applies one event's changes in order. A failed mapping is logged and the stream goes on;
   * a gap relists once the event is done, and a failed relist reopens the stream.
   */
  async #apply(event: Event, signal: AbortSignal): Promise<void> {
    let hasGap = false;
    try {
      for await (const change of this.#adapter.toChanges(event, signal)) {
        if (change.type === 'gap') hasGap = true;
        else this.#publish(change);
      }
    } catch (error) {
      if (!signal.aborted) this.#logger.warn('could not apply an event', { ...this.#adapter.describeEvent?.(event), error });
    }
    if (!hasGap) return;
    this.#logger.debug('event stream reported a gap; relisting');
    await this.#resync(signal);
  }

  #publish(change: Exclude<SandboxChange, { type: 'gap' }>): void {
    switch (change.type) {
      case 'sandbox':
        return this.#tracker.publish(change.sandbox);
      case 'deleted':
        return this.#tracker.publishDeleted(change.sandboxId);
      case 'platform-event':
        return this.#tracker.publishPlatformEvent(change.sandboxId, change.event);
    }
  }
}
