import { toPendingDriverSandbox } from '@shellgate/driver-sdk';
import type { DriverSandbox, PendingSandbox, SandboxTracker } from '@shellgate/driver-sdk';

import type { SandboxStateStore, VmSandboxRecord } from '../state.js';
import type { VmTable } from '../vm/vm-table.js';
import { describeVmExit } from './describe-vm-exit.js';
import { toVmDriverSandbox } from './vm-sandbox-status.js';

/** How a request names a sandbox: by id, or by name when the id is empty. */
export interface SandboxRef {
  readonly sandboxId: string;
  readonly sandboxName: string;
}

/**
 * Reads the world: the state files of this gateway's sandboxes, in-flight or failed creates,
 * and the process table, and turns them into `DriverSandbox` records. A pending record wins
 * over its state file, so a failed create stays failed and an in-flight one stays Starting.
 */
export class VmInventory {
  readonly pending = new Map<string, PendingSandbox>();
  readonly #store: SandboxStateStore;
  readonly #table: VmTable;
  readonly #tracker: SandboxTracker;
  readonly #gatewayId: string;
  readonly #instanceIdOf: (sandboxId: string) => string;

  constructor(options: { store: SandboxStateStore; table: VmTable; tracker: SandboxTracker; gatewayId: string; instanceIdOf: (sandboxId: string) => string }) {
    this.#store = options.store;
    this.#table = options.table;
    this.#tracker = options.tracker;
    this.#gatewayId = options.gatewayId;
    this.#instanceIdOf = options.instanceIdOf;
  }

  findPending(ref: SandboxRef): PendingSandbox | undefined {
    if (ref.sandboxId !== '') return this.pending.get(ref.sandboxId);
    return [...this.pending.values()].find((pending) => pending.name === ref.sandboxName);
  }

  /** This gateway's state records. */
  async listRecords(): Promise<VmSandboxRecord[]> {
    return (await this.#store.listStates()).filter((record) => record.gatewayId === this.#gatewayId);
  }

  /** The state record a ref names, if this gateway has one. */
  async findRecord(ref: SandboxRef): Promise<VmSandboxRecord | undefined> {
    if (ref.sandboxId !== '') {
      const record = await this.#store.readState(ref.sandboxId);
      return record?.gatewayId === this.#gatewayId ? record : undefined;
    }
    return (await this.listRecords()).find((record) => record.name === ref.sandboxName);
  }

  /** The sandbox a record stands for now (its pending record while a create runs or failed). */
  toSandbox(record: VmSandboxRecord): DriverSandbox {
    const pending = this.pending.get(record.id);
    if (pending !== undefined) return toPendingDriverSandbox(pending);
    const exit = this.#table.exitBeingRecorded(record.id);
    const current = exit === undefined || record.lastExit !== undefined ? record : { ...record, lastExit: { message: describeVmExit(exit), atMs: exit.atMs } };
    return toVmDriverSandbox(current, this.#instanceIdOf(record.id), this.#table.isRunning(record.id), this.#tracker.previousConditions(record.id));
  }

  /** Every sandbox: state files, plus pending records without one. */
  async listAll(): Promise<DriverSandbox[]> {
    const pendingBefore = [...this.pending.values()].map(toPendingDriverSandbox);
    const sandboxes = new Map<string, DriverSandbox>();
    for (const record of await this.listRecords()) sandboxes.set(record.id, this.toSandbox(record));
    for (const pending of pendingBefore) if (!sandboxes.has(pending.id)) sandboxes.set(pending.id, pending);
    return [...sandboxes.values()];
  }
}
