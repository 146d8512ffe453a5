import type { DriverCondition, DriverPlatformEvent, DriverSandbox } from '../gen/compute_driver.js';
import { isSameSandboxState } from './is-same-sandbox-state.js';
import type { WatchHub } from './watch-hub.js';

/** Where a tracker publishes: a {@link WatchHub}, or a fake in tests. */
export type SandboxPublisher = Pick<WatchHub, 'publishSandbox' | 'publishDeleted' | 'publishPlatformEvent'>;

export interface SandboxTrackerOptions {
  /** Whether two states of one sandbox are the same; default {@link isSameSandboxState}. */
  readonly isEqual?: (previous: DriverSandbox, next: DriverSandbox) => boolean;
}

/** Deleted ids remembered so a late event for a removed sandbox cannot resurrect it. */
const MAX_TOMBSTONES = 4096;

/**
 * What a driver last told the watch about each sandbox. Publishes only changes (so a resync
 * of an unchanged world is silent), keeps the last published conditions (for transition
 * times), publishes a deletion once, and ignores late updates for ids it saw deleted.
 *
 * Every publish and deletion takes a sequence number, so a listing can be applied honestly
 * although the world moved while it was read: {@link publishListing} deletes only ids that
 * nothing published since the listing began, and lets a listing that began after a deletion
 * bring the id back (it was re-created), while an older one cannot.
 */
export class SandboxTracker {
  readonly #hub: SandboxPublisher;
  readonly #isEqual: (previous: DriverSandbox, next: DriverSandbox) => boolean;
  readonly #published = new Map<string, DriverSandbox>();
  /** Per id, the value of {@link sequence} when it was last published. */
  readonly #publishedAt = new Map<string, number>();
  /** Per deleted id, the value of {@link sequence} when it was deleted; oldest first. */
  readonly #tombstones = new Map<string, number>();
  #sequence = 0;

  constructor(hub: SandboxPublisher, options: SandboxTrackerOptions = {}) {
    this.#hub = hub;
    this.#isEqual = options.isEqual ?? isSameSandboxState;
  }

  /** Grows on every publish and deletion; pass it to {@link publishListing} before listing. */
  get sequence(): number {
    return this.#sequence;
  }

  /** Conditions last published for `sandboxId` (for transition-time continuity). */
  previousConditions(sandboxId: string): readonly DriverCondition[] {
    return this.#published.get(sandboxId)?.status?.conditions ?? [];
  }

  /** A create reuses an id: forget that it was deleted. */
  revive(sandboxId: string): void {
    this.#tombstones.delete(sandboxId);
  }

  isDeleted(sandboxId: string): boolean {
    return this.#tombstones.has(sandboxId);
  }

  /** Publishes the sandbox if it differs from what was last published; never a deleted id. */
  publish(sandbox: DriverSandbox): void {
    if (sandbox.id === '' || this.#tombstones.has(sandbox.id)) return;
    const previous = this.#published.get(sandbox.id);
    if (previous !== undefined && this.#isEqual(previous, sandbox)) return;
    // Our own copy: a driver may hand out a live record and mutate it later, which would
    // otherwise hide the next change from the comparison.
    this.#published.set(sandbox.id, structuredClone(sandbox));
    this.#sequence += 1;
    this.#publishedAt.set(sandbox.id, this.#sequence);
    this.#hub.publishSandbox(sandbox);
  }

  /**
   * Publishes a deletion once, and remembers it. `wasKnown` publishes it even when nothing
   * was published for the id yet (a delete that removed something the watch never showed).
   */
  publishDeleted(sandboxId: string, wasKnown = false): void {
    this.#sequence += 1;
    this.#tombstones.delete(sandboxId); // re-insert: the newest deletion is evicted last
    this.#tombstones.set(sandboxId, this.#sequence);
    if (this.#tombstones.size > MAX_TOMBSTONES) {
      const oldest = this.#tombstones.keys().next().value;
      if (oldest !== undefined) this.#tombstones.delete(oldest);
    }
    this.#publishedAt.delete(sandboxId);
    if (this.#published.delete(sandboxId) || wasKnown) this.#hub.publishDeleted(sandboxId);
  }

  publishPlatformEvent(sandboxId: string, event: DriverPlatformEvent): void {
    this.#hub.publishPlatformEvent(sandboxId, event);
  }

  /**
   * Applies a full listing whose reading began when {@link sequence} was `startedAt`:
   * publishes what changed, then deletes the ids it lacks that nothing has published since
   * `startedAt` (those may be newer than the listing). An id deleted before `startedAt` and
   * listed again was re-created, and is published again.
   */
  publishListing(sandboxes: readonly DriverSandbox[], startedAt: number): void {
    const listed = new Set<string>();
    for (const sandbox of sandboxes) {
      listed.add(sandbox.id);
      const deletedAt = this.#tombstones.get(sandbox.id);
      if (deletedAt !== undefined && deletedAt <= startedAt) this.revive(sandbox.id);
      this.publish(sandbox);
    }
    for (const [id, publishedAt] of [...this.#publishedAt]) {
      if (publishedAt <= startedAt && !listed.has(id)) this.publishDeleted(id);
    }
  }
}
