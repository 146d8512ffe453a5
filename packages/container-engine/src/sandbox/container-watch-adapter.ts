import type { DriverSandbox, EventStreamAdapter, LogFields, SandboxChange } from '@shellgate/driver-sdk';

import type { ContainerEvent } from '../payload/container-event.js';
import type { ContainerEvents } from './container-events.js';
import type { ContainerInventory } from './container-inventory.js';
import type { ContainerSandboxEngine } from './container-sandbox-engine.js';

/**
 * A container engine as the SDK's event-stream watch source sees it: the engine's container
 * events, the inventory's listing (in-flight creates included), and what each container
 * event means. The source does the resync, the bookkeeping and the reconnects.
 */
export class ContainerWatchAdapter implements EventStreamAdapter<ContainerEvent> {
  readonly #engine: Pick<ContainerSandboxEngine, 'openContainerEvents'>;
  readonly #inventory: ContainerInventory;
  readonly #events: ContainerEvents;
  readonly #eventFilters: readonly string[];

  /**
   * `eventFilters`: label filters for the engine's event stream. Docker ANDs them, so a
   * driver that owns containers in more than one label vocabulary reads the stream unfiltered
   * (`[]`); either way `ContainerEvents` keeps only this gateway's containers, per event.
   */
  constructor(engine: Pick<ContainerSandboxEngine, 'openContainerEvents'>, inventory: ContainerInventory, events: ContainerEvents, eventFilters: readonly string[]) {
    this.#engine = engine;
    this.#inventory = inventory;
    this.#events = events;
    this.#eventFilters = eventFilters;
  }

  open(signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    return this.#engine.openContainerEvents(this.#eventFilters, signal);
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
