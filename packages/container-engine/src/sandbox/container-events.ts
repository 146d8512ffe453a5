import type { DriverPlatformEvent, DriverSandbox, SandboxChange, SandboxFileStore, SandboxTracker } from '@shellgate/driver-sdk';

import type { ContainerEvent } from '../payload/container-event.js';
import type { ContainerInfo } from '../payload/container-info.js';
import { toContainerSandbox } from './container-conditions.js';
import type { ContainerInventory } from './container-inventory.js';
import type { PendingSandbox } from './pending-sandbox.js';
import { toFailedPendingSandbox } from './pending-sandbox.js';

/**
 * Actions (in Docker's words, which the event decoder gives libpod's in) that change what a
 * sandbox looks like; others (exec_*, attach, resize, Podman's init and cleanup...) are ignored.
 */
const STATE_ACTIONS: ReadonlySet<string> = new Set(['create', 'start', 'restart', 'die', 'stop', 'kill', 'pause', 'unpause', 'oom', 'update', 'rename']);
/** What an in-flight create does itself; its hand-over publishes the outcome (Running). */
const CREATE_ACTIONS: ReadonlySet<string> = new Set(['create', 'start']);

export interface ContainerEventsOptions {
  readonly inventory: ContainerInventory;
  readonly tracker: SandboxTracker;
  readonly store: SandboxFileStore;
  readonly now: () => number;
  /** `source` of the platform events published: the engine's id (`docker`, `podman`). */
  readonly eventSource: string;
}

/**
 * Turns engine facts into watch events: what a container event means (the watch source
 * applies it), a refresh after our own stop/start, and a finished create handing over to its
 * container.
 */
export class ContainerEvents {
  readonly #options: ContainerEventsOptions;

  constructor(options: ContainerEventsOptions) {
    this.#options = options;
  }

  publishPlatformEvent(sandboxId: string, reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): void {
    this.#options.tracker.publishPlatformEvent(sandboxId, this.#toPlatformEvent(reason, message, type));
  }

  /** What one container event means, in order; a refresh inspects the container. */
  async *toChanges(event: ContainerEvent, signal: AbortSignal): AsyncGenerator<SandboxChange> {
    const { inventory, tracker, store } = this.#options;
    const sandboxId = inventory.ownedSandboxId(event.labels);
    if (sandboxId === undefined || sandboxId === '') return;
    if (event.action === 'oom') yield this.#toPlatformChange(sandboxId, 'OOMKilled', 'a process in the sandbox was killed: out of memory', 'Warning');
    if (event.action === 'die') yield this.#toPlatformChange(sandboxId, 'ContainerDied', `container exited with code ${event.exitCode ?? 'unknown'}`);
    if (event.action === 'destroy') {
      const pending = inventory.pending.get(sandboxId);
      if (pending !== undefined && pending.failure === undefined) return; // a create in flight owns this id
      inventory.pending.delete(sandboxId);
      if (!tracker.isDeleted(sandboxId)) await store.remove(sandboxId);
      yield { type: 'deleted', sandboxId };
      return;
    }
    if (!STATE_ACTIONS.has(event.action)) return;
    const pending = inventory.pending.get(sandboxId);
    if (pending !== undefined) {
      // The pending record wins over the container until the hand-over, so an inspect now
      // would publish nothing new: note what the hand-over must check instead.
      if (!CREATE_ACTIONS.has(event.action)) pending.hasUnexpectedEvent = true;
      return;
    }
    const sandbox = await this.#inspectSandbox(event.containerId, signal);
    if (sandbox !== undefined) yield { type: 'sandbox', sandbox };
  }

  /** Inspects one container and publishes what it now looks like. */
  async refresh(containerId: string, signal: AbortSignal): Promise<void> {
    const sandbox = await this.#inspectSandbox(containerId, signal);
    if (sandbox !== undefined) this.#options.tracker.publish(sandbox);
  }

  /** The sandbox a container stands for now; undefined when it is gone (its destroy event says so). */
  async #inspectSandbox(containerId: string, signal: AbortSignal): Promise<DriverSandbox | undefined> {
    const info = await this.#options.inventory.inspect(containerId, signal);
    return info === undefined ? undefined : this.#options.inventory.toSandbox(info);
  }

  #toPlatformEvent(reason: string, message: string, type: 'Normal' | 'Warning'): DriverPlatformEvent {
    return { timestampMs: this.#options.now(), source: this.#options.eventSource, type, reason, message, metadata: {} };
  }

  #toPlatformChange(sandboxId: string, reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): SandboxChange {
    return { type: 'platform-event', sandboxId, event: this.#toPlatformEvent(reason, message, type) };
  }

  /**
   * A create finished: drop its pending record and publish the container as the start
   * result shows it (Running), with no extra engine round trip. When a die/kill/stop event
   * came in while the create was in flight, the container is inspected instead; any later
   * event refreshes it as usual.
   */
  async promote(pending: PendingSandbox, started: ContainerInfo, signal: AbortSignal): Promise<void> {
    const { inventory, tracker } = this.#options;
    if (inventory.pending.get(pending.id) !== pending) return; // deleted meanwhile
    inventory.pending.delete(pending.id);
    if (!pending.hasUnexpectedEvent) {
      // The state file was just written with isStoppedByUs=false by CreateSandbox.
      tracker.publish(toContainerSandbox(started, inventory.ownerOf(started.labels), false, tracker.previousConditions(pending.id)));
      return;
    }
    try {
      await this.refresh(pending.instanceId, signal);
    } catch {
      // The next event or resync publishes it; the create itself succeeded.
    }
  }

  /** Brings back creates that failed before a driver restart, from their state files. */
  async restoreFailures(): Promise<void> {
    const { inventory, store } = this.#options;
    for (const state of await store.listStates()) {
      const { failure } = state;
      if (failure === undefined || inventory.pending.has(state.id)) continue;
      inventory.pending.set(state.id, toFailedPendingSandbox({ ...state, failure }));
    }
  }
}

