import type { DriverSandbox, EventStreamAdapter, LogFields, SandboxChange } from '@shellgate/driver-sdk';

import type { ContainerEvent, DockerEngine } from '../engine/docker-engine.js';
import type { SandboxEvents } from '../sandbox-events.js';
import type { SandboxInventory } from '../sandbox-inventory.js';

/**
 * Docker as the SDK's event-stream watch source sees it: the engine's container events, the
 * inventory's listing (in-flight creates included), and what each
 * container event means. The source does the resync, the bookkeeping and the reconnects.
 */
export class DockerWatchAdapter implements EventStreamAdapter<ContainerEvent> {
  readonly #engine: DockerEngine;
  readonly #inventory: SandboxInventory;
  readonly #events: SandboxEvents;

  constructor(engine: DockerEngine, inventory: SandboxInventory, events: SandboxEvents) {
    this.#engine = engine;
    this.#inventory = inventory;
    this.#events = events;
  }

  /**
   * Every container event, unfiltered by label: Docker ANDs label filters, and ownership has
   * two vocabularies (current and legacy), so `SandboxEvents` keeps only ours per event.
   */
  open(signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    return this.#engine.openContainerEvents([], signal);
  }

  list(signal: AbortSignal): Promise<DriverSandbox[]> {
    return this.#inventory.listAll(signal);
  }

  toChanges(event: ContainerEvent, signal: AbortSignal): AsyncIterable<SandboxChange> {
    return this.#events.toChanges(event, signal);
  }

  describeEvent(event: ContainerEvent): LogFields {
    return { action: event.action, containerId: event.containerId };
  }
}
