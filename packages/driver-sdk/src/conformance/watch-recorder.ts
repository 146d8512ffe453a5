import type { DriverClient } from '../client/index.js';
import type { WatchSandboxesEvent } from '../gen/compute_driver.js';

/**
 * Consumes one `WatchSandboxes` stream in the background and keeps every event, so a
 * check can wait for "a sandbox event for X" or "a deleted event for X" with a bound.
 */
export class WatchRecorder {
  readonly events: WatchSandboxesEvent[] = [];
  readonly #controller = new AbortController();
  readonly #waiters = new Set<() => void>();
  #failure: unknown;
  #hasEnded = false;
  readonly #done: Promise<void>;

  constructor(client: DriverClient) {
    this.#done = this.#consume(client);
  }

  /** Ids of every sandbox seen in a `sandbox` event so far. */
  sandboxIds(): Set<string> {
    const ids = new Set<string>();
    for (const event of this.events) {
      if (event.payload?.$case === 'sandbox' && event.payload.sandbox.sandbox !== undefined) {
        ids.add(event.payload.sandbox.sandbox.id);
      }
    }
    return ids;
  }

  hasDeleted(sandboxId: string): boolean {
    return this.events.some((event) => event.payload?.$case === 'deleted' && event.payload.deleted.sandboxId === sandboxId);
  }

  /** Resolves once `predicate` holds; rejects after `timeoutMs` or when the stream ends. */
  async waitUntil(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
    const startedAt = Date.now();
    while (!predicate()) {
      if (this.#hasEnded) {
        const reason = this.#failure instanceof Error ? this.#failure.message : 'the driver ended the stream';
        throw new Error(`watch stream ended before ${what}: ${reason}`);
      }
      const leftMs = timeoutMs - (Date.now() - startedAt);
      if (leftMs <= 0) throw new Error(`no ${what} on the watch stream within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, leftMs);
        function finish(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(finish);
      });
    }
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }

  async #consume(client: DriverClient): Promise<void> {
    try {
      for await (const event of client.watchSandboxes(this.#controller.signal)) {
        this.events.push(event);
        this.#wake();
      }
    } catch (error) {
      this.#failure = error;
    }
    this.#hasEnded = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}
