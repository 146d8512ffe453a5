import type { DriverPlatformEvent, DriverSandbox } from '../gen/compute_driver.js';

/** A platform event the fake gateway saw on the watch stream. */
export interface FakeGatewayPlatformEvent {
  readonly sandboxId: string;
  readonly event: DriverPlatformEvent;
}

/** Platform events kept for tests; older ones are dropped so a long session stays bounded. */
const MAX_PLATFORM_EVENTS = 10_000;

/**
 * The fake gateway's copy of the driver's sandboxes. Watch events always win; a list sweep
 * only writes entries the watch has not touched since the sweep began, because a listing
 * taken before a watch event would otherwise roll the sandbox back to an older state.
 */
export class SandboxMirror {
  readonly #sandboxes = new Map<string, DriverSandbox>();
  /** Last state of every sandbox ever seen, deleted ones included, for timeout messages. */
  readonly #lastSeen = new Map<string, DriverSandbox>();
  readonly #watchTouchedAt = new Map<string, number>();
  readonly #platformEvents: FakeGatewayPlatformEvent[] = [];
  readonly #listeners = new Set<() => void>();
  #watchSequence = 0;

  get sandboxes(): ReadonlyMap<string, DriverSandbox> {
    return this.#sandboxes;
  }

  get platformEvents(): readonly FakeGatewayPlatformEvent[] {
    return this.#platformEvents;
  }

  /** Increases with every watch event; a sweep remembers it when it starts. */
  get watchSequence(): number {
    return this.#watchSequence;
  }

  lastSeen(sandboxId: string): DriverSandbox | undefined {
    return this.#lastSeen.get(sandboxId);
  }

  upsertFromWatch(sandbox: DriverSandbox): void {
    this.#touch(sandbox.id);
    this.#set(sandbox);
  }

  removeFromWatch(sandboxId: string): void {
    this.#touch(sandboxId);
    if (this.#sandboxes.delete(sandboxId)) this.#notify();
  }

  addPlatformEvent(record: FakeGatewayPlatformEvent): void {
    this.#platformEvents.push(record);
    if (this.#platformEvents.length > MAX_PLATFORM_EVENTS) this.#platformEvents.shift();
    this.#notify();
  }

  /** Whether a watch event about this sandbox arrived after `sequence`. */
  isWatchNewerThan(sandboxId: string, sequence: number): boolean {
    return (this.#watchTouchedAt.get(sandboxId) ?? -1) > sequence;
  }

  /** A list sweep's upsert; ignored when the watch has news about the sandbox. */
  upsertFromList(sandbox: DriverSandbox, sweepStartedAt: number): boolean {
    if (this.isWatchNewerThan(sandbox.id, sweepStartedAt)) return false;
    this.#set(sandbox);
    return true;
  }

  /** A list sweep's prune; ignored when the watch has news about the sandbox. */
  removeFromList(sandboxId: string, sweepStartedAt: number): boolean {
    if (this.isWatchNewerThan(sandboxId, sweepStartedAt) || !this.#sandboxes.delete(sandboxId)) return false;
    this.#notify();
    return true;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Wakes every waiter after a change outside the mirror, e.g. the gateway's counters. */
  notify(): void {
    this.#notify();
  }

  #touch(sandboxId: string): void {
    this.#watchSequence += 1;
    this.#watchTouchedAt.set(sandboxId, this.#watchSequence);
  }

  #set(sandbox: DriverSandbox): void {
    this.#sandboxes.set(sandbox.id, sandbox);
    this.#lastSeen.set(sandbox.id, sandbox);
    this.#notify();
  }

  #notify(): void {
    // Copy: a listener that is satisfied unsubscribes while we iterate.
    for (const listener of [...this.#listeners]) listener();
  }
}
