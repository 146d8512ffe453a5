import type { DriverCondition, DriverPlatformEvent, DriverSandbox, WatchHub } from '@shellgate/driver-sdk';

/** Deleted ids remembered so a late event for a removed container cannot resurrect it. */
const MAX_TOMBSTONES = 4096;

function toComparable(sandbox: DriverSandbox): string {
  return JSON.stringify({ ...sandbox, spec: undefined });
}

/**
 * What the driver last told the watch hub about each sandbox. Publishes only changes (so
 * a resync of an unchanged world is silent), keeps condition transition times, publishes
 * a deletion once, and ignores late updates for ids it has seen deleted.
 */
export class SandboxTracker {
  readonly #hub: WatchHub;
  readonly #published = new Map<string, DriverSandbox>();
  readonly #tombstones = new Set<string>();
  /** Per id, the value of {@link sequence} when it was last published. */
  readonly #publishedAt = new Map<string, number>();
  #sequence = 0;

  constructor(hub: WatchHub) {
    this.#hub = hub;
  }

  /** Conditions last published for `sandboxId` (for transition-time continuity). */
  previousConditions(sandboxId: string): readonly DriverCondition[] {
    return this.#published.get(sandboxId)?.status?.conditions ?? [];
  }

  /** Grows on every publish; a resync deletes only ids not published since it began. */
  get sequence(): number {
    return this.#sequence;
  }

  /** Ids published at or before `sequence` (all ids when omitted). */
  knownIdsAsOf(sequence: number): string[] {
    return [...this.#publishedAt].filter(([, at]) => at <= sequence).map(([id]) => id);
  }

  /** Ids currently believed to exist. */
  knownIds(): string[] {
    return [...this.#published.keys()];
  }

  /** A create reuses an id: forget that it was deleted. */
  revive(sandboxId: string): void {
    this.#tombstones.delete(sandboxId);
  }

  isDeleted(sandboxId: string): boolean {
    return this.#tombstones.has(sandboxId);
  }

  /** Publishes the sandbox if it differs from what was last published. */
  publish(sandbox: DriverSandbox): void {
    if (sandbox.id === '' || this.#tombstones.has(sandbox.id)) return;
    const previous = this.#published.get(sandbox.id);
    if (previous !== undefined && toComparable(previous) === toComparable(sandbox)) return;
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
    this.#tombstones.add(sandboxId);
    if (this.#tombstones.size > MAX_TOMBSTONES) {
      const oldest = this.#tombstones.values().next().value;
      if (oldest !== undefined) this.#tombstones.delete(oldest);
    }
    this.#sequence += 1;
    this.#publishedAt.delete(sandboxId);
    if (this.#published.delete(sandboxId) || wasKnown) this.#hub.publishDeleted(sandboxId);
  }

  publishPlatformEvent(sandboxId: string, event: DriverPlatformEvent): void {
    this.#hub.publishPlatformEvent(sandboxId, event);
  }
}
