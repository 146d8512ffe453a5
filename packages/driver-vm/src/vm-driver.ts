import { rm } from 'node:fs/promises';

import {
  EventStreamWatchSource,
  FailedPreconditionError,
  SandboxAlreadyExistsError,
  SandboxNotFoundError,
  SandboxTracker,
  WatchHub,
  drainInFlightCreates,
  formatListenerAddress,
  isStorageFullError,
  toFailedPendingSandbox,
  toPendingDriverSandbox,
  toPendingSandbox,
  validateWorkspaceName,
  waitUnlessAborted,
} from '@shellgate/driver-sdk';
import type {
  CallContext,
  ComputeDriverImpl,
  CreateSandboxRequest,
  DeleteSandboxResponse,
  DeleteWorkspaceRequest,
  EnsureWorkspaceRequest,
  GetCapabilitiesResponse,
  GetGatewayListenerRequirementsResponse,
  GetSandboxResponse,
  ListSandboxesResponse,
  Logger,
  PendingSandbox,
  Sleep,
  ValidateSandboxCreateRequest,
  WatchSandboxesEvent,
} from '@shellgate/driver-sdk';

import type { AcceleratorVerdict } from './qemu/accelerator-probe.js';
import { describeVmExit } from './sandbox/describe-vm-exit.js';
import { SandboxQueue } from './sandbox/sandbox-queue.js';
import { validateVmSandbox } from './sandbox/validate-vm-sandbox.js';
import type { ValidatedVmSandbox } from './sandbox/validate-vm-sandbox.js';
import type { SandboxBooter } from './sandbox/vm-booter.js';
import type { SandboxRef } from './sandbox/vm-inventory.js';
import { VmInventory } from './sandbox/vm-inventory.js';
import type { VmProvisionContext } from './sandbox/vm-provisioner.js';
import { provisionVmSandbox } from './sandbox/vm-provisioner.js';
import { VmWatchAdapter } from './sandbox/vm-watch-adapter.js';
import type { VmDriverSettings } from './settings.js';
import type { SandboxStateStore, VmSandboxRecord } from './state.js';
import { DRIVER_NAME, DRIVER_VERSION } from './version.js';
import type { VmExit, VmHandle } from './vm/running-vm.js';
import { VmTable } from './vm/vm-table.js';
import type { VmTableEvent } from './vm/vm-table.js';
import type { SandboxRecovery } from './vm/vm-recovery.js';

/** Everything the driver touches, injected (STYLE.md rule 15). */
export interface VmDriverDeps {
  readonly settings: VmDriverSettings;
  readonly store: SandboxStateStore;
  readonly booter: SandboxBooter;
  /** The create steps' collaborators (image cache, disks), minus what the driver itself wires. */
  readonly provisioning: Pick<VmProvisionContext, 'baseDisks' | 'run' | 'endpoint' | 'tls'>;
  /** The accelerator verdict once decided (at start when the kernel was prepared, else at the first boot). */
  readonly accelerator: () => AcceleratorVerdict | undefined;
  /** Finds the VMs of a previous driver process again (QMP, console) at start. */
  readonly recovery: SandboxRecovery;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly sleep?: Sleep;
}

/** How long close() lets in-flight creates finish before cancelling them. */
const CLOSE_GRACE_MS = 5000;

/** The VM compute driver: one method per RPC of `openshell.compute.v1.ComputeDriver`. */
export class VmDriver implements ComputeDriverImpl {
  readonly #deps: VmDriverDeps;
  readonly #hub: WatchHub;
  readonly #tracker: SandboxTracker;
  readonly #table: VmTable;
  readonly #inventory: VmInventory;
  readonly #watcher: EventStreamWatchSource<VmTableEvent | 'gap'>;
  readonly #now: () => number;
  readonly #queue = new SandboxQueue();

  constructor(deps: VmDriverDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    const { store, settings, logger } = deps;
    this.#hub = new WatchHub({ snapshot: () => this.#inventory.listAll(), logger });
    this.#tracker = new SandboxTracker(this.#hub);
    // Serialized with the sandbox's stop, start and delete: a delete never races the exit's write.
    this.#table = new VmTable((vm, exit) => this.#queue.run(vm.sandboxId, () => this.#recordExit(vm, exit)));
    this.#inventory = new VmInventory({ store, table: this.#table, tracker: this.#tracker, gatewayId: settings.gatewayId, instanceIdOf: (id) => deps.booter.instanceIdOf(id) });
    this.#watcher = new EventStreamWatchSource({
      adapter: new VmWatchAdapter({ table: this.#table, inventory: this.#inventory, store, now: this.#now }),
      tracker: this.#tracker,
      logger,
      ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
    });
  }

  /** The process table, for QMP events the booter forwards. */
  get table(): VmTable {
    return this.#table;
  }

  /**
   * Prepares the state directory, finds the VMs a previous driver process left running
   * (they outlive it), restores failed creates, and starts the watch.
   */
  async start(): Promise<void> {
    await this.#deps.store.prepare();
    for (const record of await this.#inventory.listRecords()) {
      const outcome = await this.#deps.recovery.recover(record, (event) => this.#table.publishQmpEvent(record.id, event));
      if (outcome.kind === 'running') this.#table.add(outcome.vm);
      if (outcome.kind === 'failed') this.#inventory.pending.set(record.id, toFailedPendingSandbox(outcome.record, this.#deps.booter.instanceIdOf(record.id)));
    }
    this.#watcher.start();
  }

  getCapabilities(): GetCapabilitiesResponse {
    const verdict = this.#deps.accelerator();
    const accelerator = verdict === undefined ? 'accelerator decided at the first boot' : `${verdict.accelerator}: ${verdict.reason}`;
    return { driverName: DRIVER_NAME, driverVersion: `${DRIVER_VERSION} (${accelerator})`, defaultImage: this.#deps.settings.defaultImage, gatewayManagesLifecycle: true };
  }

  getGatewayListenerRequirements(): GetGatewayListenerRequirementsResponse {
    const { callbackAddress, gatewayPort } = this.#deps.settings;
    const exactBindAddress = formatListenerAddress(callbackAddress, gatewayPort);
    const reason = `VM sandboxes reach the gateway only through a per-connection forward to ${exactBindAddress} (slirp guestfwd; nothing else on the host is reachable)`;
    return { requirements: [{ reason, selector: { $case: 'exactBindAddress', exactBindAddress } }] };
  }

  validateSandboxCreate(request: ValidateSandboxCreateRequest): void {
    this.#validate(request.sandbox);
  }

  async createSandbox(request: CreateSandboxRequest): Promise<void> {
    const validated = this.#validate(request.sandbox);
    const { sandbox } = validated;
    const { store, logger, settings } = this.#deps;
    if (this.#inventory.pending.has(sandbox.id) || (await store.readState(sandbox.id)) !== undefined) throw new SandboxAlreadyExistsError(sandbox.id);
    const pending = toPendingSandbox(sandbox, 'accepted; preparing the VM', this.#deps.booter.instanceIdOf(sandbox.id));
    this.#inventory.pending.set(sandbox.id, pending);
    const record: VmSandboxRecord = { id: sandbox.id, name: sandbox.name, namespace: sandbox.namespace, workspace: sandbox.workspace, isStoppedByUs: false, gatewayId: settings.gatewayId };
    try {
      await store.writeToken(sandbox.id, sandbox.spec?.sandboxToken ?? '');
      await store.writeState(record);
    } catch (error) {
      this.#inventory.pending.delete(sandbox.id);
      await store.remove(sandbox.id).catch(() => undefined);
      throw error;
    }
    // From here on the background task works on a copy without the token.
    const copy = structuredClone(sandbox);
    if (copy.spec !== undefined) copy.spec.sandboxToken = '';
    this.#tracker.revive(sandbox.id);
    this.#tracker.publish(toPendingDriverSandbox(pending));
    logger.info('sandbox accepted', { sandboxId: sandbox.id, sandboxName: sandbox.name, vcpus: validated.vcpus, memoryMib: validated.memoryMib });
    pending.task = provisionVmSandbox(this.#provisionContext(sandbox.id), pending, { ...validated, sandbox: copy }, record);
  }

  async getSandbox(request: SandboxRef): Promise<GetSandboxResponse> {
    const pending = this.#inventory.findPending(request);
    if (pending !== undefined) return { sandbox: toPendingDriverSandbox(pending) };
    const record = await this.#inventory.findRecord(request);
    if (record === undefined) throw new SandboxNotFoundError(request.sandboxId || request.sandboxName);
    return { sandbox: this.#inventory.toSandbox(record) };
  }

  async listSandboxes(): Promise<ListSandboxesResponse> {
    return { sandboxes: await this.#inventory.listAll() };
  }

  /** Asks the guest to stop its entrypoint and power off (it syncs first); the disks stay. */
  async stopSandbox(request: SandboxRef, ctx: CallContext): Promise<void> {
    const record = await this.#requireBooted(request, ctx.signal);
    await this.#queue.run(record.id, async () => {
      const current = (await this.#deps.store.readState(record.id)) ?? record;
      if (!current.isStoppedByUs) await this.#deps.store.writeState({ ...current, isStoppedByUs: true });
      const vm = this.#table.get(record.id);
      if (vm !== undefined) await vm.stop(this.#deps.settings.stopTimeoutSeconds);
      this.#publish(record.id);
    });
  }

  /** Boots the VM again from the same disks; a running VM is left as it is. */
  async startSandbox(request: SandboxRef, ctx: CallContext): Promise<void> {
    const record = await this.#requireBooted(request, ctx.signal);
    await this.#queue.run(record.id, async () => {
      const current = (await this.#deps.store.readState(record.id)) ?? record;
      if (this.#table.isRunning(record.id)) {
        if (current.isStoppedByUs) await this.#deps.store.writeState({ ...current, isStoppedByUs: false });
        this.#publish(record.id);
        return;
      }
      const { lastExit: _lastExit, process: _process, ...rest } = current;
      const starting: VmSandboxRecord = { ...rest, isStoppedByUs: false };
      try {
        const vm = await this.#deps.booter.boot(starting, current.launch!, ctx.signal, (message) => this.#deps.logger.debug('start progress', { sandboxId: record.id, message }));
        this.#table.add(vm);
      } catch (error) {
        if (isStorageFullError(error)) throw error;
        throw new FailedPreconditionError(`sandbox ${JSON.stringify(record.name)} did not start: ${(error as Error).message}`, {
          hint: 'see the driver log and the sandbox\'s qemu.log in the driver\'s state dir',
          cause: error,
        });
      }
    });
  }

  async deleteSandbox(request: SandboxRef): Promise<DeleteSandboxResponse> {
    const pending = this.#inventory.findPending(request);
    if (pending !== undefined) {
      pending.abort.abort();
      await pending.task;
    }
    const record = await this.#inventory.findRecord(request);
    const sandboxId = request.sandboxId || pending?.id || record?.id || '';
    if (sandboxId === '') return { deleted: false };
    await this.#queue.run(sandboxId, async () => {
      await this.#table.get(sandboxId)?.kill();
      this.#inventory.pending.delete(sandboxId);
      await this.#deps.store.remove(sandboxId);
    });
    const deleted = record !== undefined || pending !== undefined;
    if (deleted) {
      this.#tracker.publishDeleted(sandboxId, true);
      this.#deps.logger.info('sandbox deleted', { sandboxId });
    }
    return { deleted };
  }

  watchSandboxes(_request: unknown, ctx: CallContext): AsyncIterable<WatchSandboxesEvent> {
    return this.#hub.subscribe(ctx.signal);
  }

  /** Workspaces are a field of each sandbox's record; there is nothing to create. */
  ensureWorkspace(request: EnsureWorkspaceRequest): void {
    validateWorkspaceName(request.workspace);
  }

  /** Refuses while sandboxes of the workspace remain; otherwise there is nothing to remove. */
  async deleteWorkspace(request: DeleteWorkspaceRequest): Promise<void> {
    validateWorkspaceName(request.workspace);
    const remaining = (await this.#inventory.listRecords()).filter((record) => record.workspace === request.workspace);
    if (remaining.length > 0) {
      throw new FailedPreconditionError(`workspace ${JSON.stringify(request.workspace)} still has ${remaining.length} sandbox VM(s)`, {
        hint: 'delete the sandboxes of the workspace first',
      });
    }
  }

  /** Lets creates finish (briefly), then lets go of every VM without stopping it: VMs outlive the driver. */
  async close(): Promise<void> {
    await drainInFlightCreates(this.#inventory.pending, CLOSE_GRACE_MS);
    await this.#watcher.close();
    this.#table.detachAll();
    this.#hub.close();
  }

  #validate(sandbox: ValidateSandboxCreateRequest['sandbox']): ValidatedVmSandbox {
    const { settings } = this.#deps;
    return validateVmSandbox(sandbox, {
      defaultVcpus: settings.defaultVcpus,
      maxVcpus: settings.maxVcpus,
      defaultMemoryMib: settings.defaultMemoryMib,
      maxMemoryMib: settings.maxMemoryMib,
      maxDiskSizeMib: settings.maxDiskSizeMib,
      defaultKernel: settings.kernel,
    });
  }

  #provisionContext(sandboxId: string): VmProvisionContext {
    const { settings, store, booter, logger, provisioning } = this.#deps;
    return {
      ...provisioning,
      store,
      booter,
      logger: logger.child({ sandboxId }),
      defaultImage: settings.defaultImage,
      diskSizeMib: settings.diskSizeMib,
      onUpdate: (update) => this.#tracker.publish(update),
      onPlatformEvent: (id, reason, message, type = 'Normal') =>
        this.#tracker.publishPlatformEvent(id, { timestampMs: this.#now(), source: 'qemu', type, reason, message, metadata: {} }),
      onBooted: (pending, vm) => this.#promote(pending, vm),
    };
  }

  /** A create finished: the pending record goes and the running VM speaks for the sandbox. */
  #promote(pending: PendingSandbox, vm: VmHandle): void {
    if (this.#inventory.pending.get(pending.id) !== pending) return;
    this.#inventory.pending.delete(pending.id);
    this.#table.add(vm);
    this.#publish(pending.id);
  }

  /** Publishes what a sandbox looks like now (after our own stop or start). */
  #publish(sandboxId: string): void {
    void this.#deps.store.readState(sandboxId).then((record) => {
      if (record !== undefined && !this.#inventory.pending.has(sandboxId)) this.#tracker.publish(this.#inventory.toSandbox(record));
    });
  }

  /** A VM ended: the state file forgets its process and, unless we stopped it, says how it ended. */
  async #recordExit(vm: VmHandle, exit: VmExit): Promise<void> {
    await rm(vm.runDir, { recursive: true, force: true });
    const record = await this.#deps.store.readState(vm.sandboxId);
    if (record === undefined || record.process?.pid !== vm.identity.pid) return;
    const { process: _process, ...rest } = record;
    const message = describeVmExit(exit);
    this.#deps.logger.info('sandbox VM ended', { sandboxId: vm.sandboxId, isStoppedByUs: record.isStoppedByUs, exit: message });
    await this.#deps.store.writeState(record.isStoppedByUs ? rest : { ...rest, lastExit: { message, atMs: exit.atMs } });
  }

  /**
   * The record of a sandbox whose create finished (waiting for one in flight: Stop right
   * after Create is fine).
   * @throws FailedPreconditionError for a failed create; SandboxNotFoundError for none.
   */
  async #requireBooted(request: SandboxRef, signal: AbortSignal): Promise<VmSandboxRecord> {
    const inFlight = this.#inventory.findPending(request);
    if (inFlight !== undefined && inFlight.failure === undefined) await waitUnlessAborted(inFlight.task, signal);
    const pending = this.#inventory.findPending(request);
    if (pending?.failure !== undefined) {
      throw new FailedPreconditionError(`sandbox ${JSON.stringify(pending.id)} failed to start (${pending.failure.reason}: ${pending.failure.message})`, {
        hint: 'delete it and create it again',
      });
    }
    const record = await this.#inventory.findRecord(request);
    if (record?.launch === undefined) throw new SandboxNotFoundError(request.sandboxId || request.sandboxName);
    return record;
  }
}
