import type { DriverSandbox } from '../gen/compute_driver.js';
import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import { SandboxTracker } from './sandbox-tracker.js';
import type { WatchHub } from './watch-hub.js';

/** The timer seam of {@link PollingWatchSource}; tests pass a fake, production the globals. */
export interface PollingTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's global timers; unref'd so an idle poller never keeps a process alive. */
export const systemTimers: PollingTimers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PollingWatchSourceOptions {
  /** Lists every sandbox the driver owns, as the driver's ListSandboxes would. */
  list: () => Promise<readonly DriverSandbox[]>;
  hub: WatchHub;
  /** Pause between the end of one poll and the start of the next, in milliseconds. */
  intervalMs: number;
  timers?: PollingTimers;
  logger?: Logger;
  /** Whether two listings of one sandbox are the same; default {@link isSameSandboxState}. */
  isEqual?: (previous: DriverSandbox, next: DriverSandbox) => boolean;
}

/**
 * Turns periodic listings into watch events for engines that have no event stream: each
 * poll hands the list to a {@link SandboxTracker}, which compares it by sandbox id with what
 * was published before and publishes new or changed sandboxes and deletions to the hub. The
 * first poll publishes every sandbox, which is harmless (events are upserts) and covers
 * anything that changed before it ran. A failed list is logged and retried on the next tick
 * and never reported as deletions.
 */
export class PollingWatchSource {
  readonly #list: PollingWatchSourceOptions['list'];
  readonly #tracker: SandboxTracker;
  readonly #intervalMs: number;
  readonly #timers: PollingTimers;
  readonly #logger: Logger;
  #timer: unknown;
  #isRunning = false;
  // Polls run one at a time, whether started by the timer or by pollOnce().
  #lastPoll: Promise<void> = Promise.resolve();

  constructor(options: PollingWatchSourceOptions) {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) {
      throw new RangeError(`PollingWatchSource intervalMs must be positive, got ${String(options.intervalMs)}`);
    }
    this.#list = options.list;
    this.#tracker = new SandboxTracker(options.hub, options.isEqual === undefined ? {} : { isEqual: options.isEqual });
    this.#intervalMs = options.intervalMs;
    this.#timers = options.timers ?? systemTimers;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'polling-watch-source' });
  }

  /** Polls now, then every `intervalMs` after each poll ends, until close(). Idempotent. */
  start(): void {
    if (this.#isRunning) return;
    this.#isRunning = true;
    this.#runTick();
  }

  /** Stops polling; a poll already running finishes but schedules nothing. Idempotent. */
  close(): void {
    this.#isRunning = false;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Lists once and publishes the differences; resolves when done (errors are logged). */
  pollOnce(): Promise<void> {
    const poll = this.#lastPoll.then(() => this.#poll());
    this.#lastPoll = poll.catch(() => undefined);
    return poll;
  }

  #runTick(): void {
    this.#timer = undefined;
    void this.pollOnce()
      .catch((error: unknown) => {
        // Only a throwing isEqual or hub lands here; keep polling rather than go silent.
        this.#logger.error('publishing polled sandboxes failed', { error });
      })
      .finally(() => {
        if (this.#isRunning) this.#timer = this.#timers.setTimeout(() => this.#runTick(), this.#intervalMs);
      });
  }

  async #poll(): Promise<void> {
    const startedAt = this.#tracker.sequence;
    let sandboxes: readonly DriverSandbox[];
    try {
      sandboxes = await this.#list();
    } catch (error) {
      this.#logger.warn('listing sandboxes failed; will retry on the next poll', {
        error,
        intervalMs: this.#intervalMs,
      });
      return;
    }
    this.#tracker.publishListing(sandboxes, startedAt);
  }
}
