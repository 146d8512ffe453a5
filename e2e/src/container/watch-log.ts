// Follows a driver's WatchSandboxes like the gateway does: when the stream ends it opens a
// new one (snapshot first), so a driver may end streams while its engine is away.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DriverClient, DriverSandbox, WatchSandboxesEvent } from '@shellgate/driver-sdk';

const RECONNECT_DELAY_MS = 500;

export class WatchLog {
  readonly events: WatchSandboxesEvent[] = [];
  /** How many streams ended and were reopened. */
  reopened = 0;
  readonly #controller = new AbortController();
  readonly #done: Promise<void>;

  constructor(private readonly client: () => DriverClient) {
    this.#done = this.#follow();
  }

  /** Sandbox states seen since event index `from`, oldest first. */
  sandboxesSince(from: number, sandboxId: string): DriverSandbox[] {
    return this.events.slice(from).flatMap((event) =>
      event.payload?.$case === 'sandbox' && event.payload.sandbox.sandbox?.id === sandboxId ? [event.payload.sandbox.sandbox] : [],
    );
  }

  /** Resolves once a sandbox event after index `from` satisfies `predicate`. */
  async waitForSandbox(from: number, sandboxId: string, what: string, predicate: (sandbox: DriverSandbox) => boolean, timeoutMs: number): Promise<DriverSandbox> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.sandboxesSince(from, sandboxId).find(predicate);
      if (match !== undefined) return match;
      if (Date.now() > deadline) {
        const seen = this.sandboxesSince(from, sandboxId).map((s) => s.status?.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`).join(','));
        throw new Error(`no watch event with ${sandboxId} ${what} within ${timeoutMs} ms (streams reopened: ${this.reopened}); states seen: ${JSON.stringify(seen)}`);
      }
      await sleep(50);
    }
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }

  async #follow(): Promise<void> {
    while (!this.#controller.signal.aborted) {
      try {
        for await (const event of this.client().watchSandboxes(this.#controller.signal)) this.events.push(event);
      } catch {
        // the stream failed; reopen below, as the gateway does
      }
      if (this.#controller.signal.aborted) return;
      this.reopened += 1;
      await sleep(RECONNECT_DELAY_MS);
    }
  }
}
