import type { DriverPlatformEvent, DriverSandbox, EventStreamAdapter, LogFields, SandboxChange } from '@shellgate/driver-sdk';

import type { SandboxStateStore } from '../state.js';
import type { VmTable, VmTableEvent } from '../vm/vm-table.js';
import { describeVmExit } from './describe-vm-exit.js';
import type { VmInventory } from './vm-inventory.js';

const EVENT_SOURCE = 'qemu';

/**
 * The driver's own process table as the SDK's event-stream watch source sees it: VM starts
 * and exits (from the child's exit, the QMP socket closing or a pid poll), QMP events, and
 * the inventory's listing for resyncs.
 */
export class VmWatchAdapter implements EventStreamAdapter<VmTableEvent | 'gap'> {
  readonly #table: VmTable;
  readonly #inventory: VmInventory;
  readonly #store: SandboxStateStore;
  readonly #now: () => number;

  constructor(options: { table: VmTable; inventory: VmInventory; store: SandboxStateStore; now: () => number }) {
    this.#table = options.table;
    this.#inventory = options.inventory;
    this.#store = options.store;
    this.#now = options.now;
  }

  async open(signal: AbortSignal): Promise<AsyncIterable<VmTableEvent | 'gap'>> {
    return this.#table.events(signal);
  }

  list(): Promise<DriverSandbox[]> {
    return this.#inventory.listAll();
  }

  async *toChanges(event: VmTableEvent | 'gap'): AsyncGenerator<SandboxChange> {
    if (event === 'gap') {
      yield { type: 'gap' };
      return;
    }
    if (event.type === 'qmp') {
      if (event.event.event === 'SHUTDOWN') {
        const reason = event.event.data['reason'];
        yield this.#platformChange(event.sandboxId, 'VmShutdown', `the VM is shutting down (${typeof reason === 'string' ? reason : 'unknown reason'})`);
      }
      return;
    }
    if (event.type === 'exited') yield this.#platformChange(event.sandboxId, 'VmExited', describeVmExit(event.exit), 'Warning');
    // An in-flight create publishes its own outcome; a deleted sandbox has no record.
    if (this.#inventory.pending.has(event.sandboxId)) return;
    const record = await this.#store.readState(event.sandboxId);
    if (record !== undefined) yield { type: 'sandbox', sandbox: this.#inventory.toSandbox(record) };
  }

  describeEvent(event: VmTableEvent | 'gap'): LogFields {
    return event === 'gap' ? { event: 'gap' } : { event: event.type, sandboxId: event.sandboxId };
  }

  #platformChange(sandboxId: string, reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): SandboxChange {
    const event: DriverPlatformEvent = { timestampMs: this.#now(), source: EVENT_SOURCE, type, reason, message, metadata: {} };
    return { type: 'platform-event', sandboxId, event };
  }
}
