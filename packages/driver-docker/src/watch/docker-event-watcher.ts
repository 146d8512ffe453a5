import type { Logger } from '@shellgate/driver-sdk';

import type { ContainerEvent, DockerEngine } from '../engine/docker-engine.js';

/** First reconnect delay after the event stream drops; doubles up to the cap. */
export const RECONNECT_INITIAL_DELAY_MS = 250;
/** Upstream reconnects every 2 s; we start faster and back off to this cap. */
export const RECONNECT_MAX_DELAY_MS = 5000;

/** Resolves after `ms`, or at once when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

const realSleep: Sleep = (ms, signal) =>
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

export interface DockerEventWatcherOptions {
  readonly engine: DockerEngine;
  readonly labelFilters: readonly string[];
  /** Handles one event; errors are logged and the stream goes on. */
  readonly onEvent: (event: ContainerEvent, signal: AbortSignal) => Promise<void>;
  /** Re-lists everything and publishes the differences; runs after every (re)connect. */
  readonly onResync: (signal: AbortSignal) => Promise<void>;
  readonly logger: Logger;
  readonly sleep?: Sleep;
}

/** Delay before reconnect attempt `attempt` (1-based): 250 ms doubling to 5 s. */
export function toReconnectDelayMs(attempt: number): number {
  return Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_INITIAL_DELAY_MS * 2 ** Math.max(0, attempt - 1));
}

/**
 * Follows Docker's event stream for our containers (no polling). Each (re)connect opens the
 * stream first and then resyncs, so a change made while disconnected is caught by the
 * resync and a change made after it by the stream. When the stream ends or fails (dockerd
 * restarted), it reconnects with backoff.
 */
export class DockerEventWatcher {
  readonly #options: DockerEventWatcherOptions;
  readonly #abort = new AbortController();
  readonly #sleep: Sleep;
  #loop: Promise<void> | undefined;
  #connections = 0;

  constructor(options: DockerEventWatcherOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? realSleep;
  }

  /** How many times the event stream was opened (reconnects = this minus one). */
  get connections(): number {
    return this.#connections;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const { logger } = this.#options;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const events = await this.#options.engine.openContainerEvents(this.#options.labelFilters, signal);
        this.#connections += 1;
        await this.#options.onResync(signal);
        if (failures > 0) logger.info('docker event stream reconnected and resynced', { afterFailures: failures });
        failures = 0;
        for await (const event of events) {
          await this.#handle(event, signal);
        }
        if (signal.aborted) return;
        logger.warn('docker event stream ended; reconnecting');
      } catch (error) {
        if (signal.aborted) return;
        logger.warn('docker event stream failed; reconnecting', { error, attempt: failures + 1 });
      }
      failures += 1;
      await this.#sleep(toReconnectDelayMs(failures), signal);
    }
  }

  async #handle(event: ContainerEvent, signal: AbortSignal): Promise<void> {
    try {
      await this.#options.onEvent(event, signal);
    } catch (error) {
      if (!signal.aborted) this.#options.logger.warn('could not apply docker event', { action: event.action, containerId: event.containerId, error });
    }
  }
}
