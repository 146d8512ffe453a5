import { SandboxPhase, type CreateSandboxRequest, type Sandbox } from '@shellgate/api';
import { ErrorCode, isShellgateError, silentLogger, type Logger } from '@shellgate/driver-sdk';
import type { SandboxIdentity } from '../identity/index.js';
import type { LabelSelector } from '../labels/index.js';
import { DesiredState, WorkspaceNotFoundError, type GatewayStore, type SandboxRecord } from '../store/index.js';
import type { DriverDirectory, DriverHandle } from './driver-directory.js';
import { DriverNotConfiguredError, InvalidPhaseTransitionError, SandboxNotFoundInWorkspaceError } from './errors.js';
import type { SandboxEventBus } from './sandbox-event-bus.js';
import { describePhase } from './sandbox-phase.js';
import { toDriverSandbox, toNewSandbox } from './sandbox-records.js';
import { parseCreateSandboxRequest } from './sandbox-request.js';
import type { SandboxStatusSync } from './sandbox-status-sync.js';

export interface SandboxServiceOptions {
  store: GatewayStore;
  drivers: DriverDirectory;
  identity: SandboxIdentity;
  events: SandboxEventBus;
  statusSync: SandboxStatusSync;
  logger?: Logger;
  nowMs?: () => number;
}

export interface ListSandboxesQuery {
  workspace: string | undefined;
  labelSelector: LabelSelector | undefined;
  limit: number;
  offset: number;
}

/**
 * The sandbox operations of the public API: validation, the store record, and the driver
 * call, in the order that leaves nothing behind when any step fails.
 */
export class SandboxService {
  private readonly store: GatewayStore;
  private readonly drivers: DriverDirectory;
  private readonly logger: Logger;
  private readonly nowMs: () => number;
  /**
   * EnsureWorkspace calls by (driver, workspace) since this gateway started. The promise is
   * kept, not just the key, so concurrent first creates in a workspace share one call.
   */
  private readonly ensuredWorkspaces = new Map<string, Promise<void>>();

  constructor(private readonly options: SandboxServiceOptions) {
    this.store = options.store;
    this.drivers = options.drivers;
    this.logger = options.logger ?? silentLogger;
    this.nowMs = options.nowMs ?? Date.now;
  }

  async create(request: CreateSandboxRequest): Promise<Sandbox> {
    const plan = parseCreateSandboxRequest(request, this.drivers.names());
    const driver = this.requireDriver(plan.driverName ?? this.drivers.defaultDriverName, plan.name);
    // The store's insert refuses a missing workspace on its own; this read only keeps a first
    // create in an unknown workspace from reaching the driver's EnsureWorkspace, so a workspace
    // this gateway ensured already costs no round trip (a Postgres store pays one per read).
    if (!this.ensuredWorkspaces.has(workspaceKey(driver, plan.workspace)) && (await this.store.getWorkspace(plan.workspace)) === undefined) {
      throw new WorkspaceNotFoundError(plan.workspace);
    }
    await this.ensureWorkspace(driver, plan.workspace);
    const sandbox = toNewSandbox(plan, driver.name, driver.capabilities, this.nowMs());
    const sandboxId = sandbox.metadata!.id;
    // Validation never needs the token, so it travels only with the create, and minting
    // overlaps the validate round trip.
    const [token] = await Promise.all([
      this.options.identity.mintToken(sandboxId),
      ignoreUnimplemented(driver.client.validateSandboxCreate(toDriverSandbox(sandbox, plan, ''))),
    ]);
    const driverSandbox = toDriverSandbox(sandbox, plan, token);
    const stored = await this.store.createSandbox({
      sandbox,
      driver: driver.name,
      desiredState: DesiredState.Running,
      missingSinceMs: undefined,
    });
    try {
      await driver.client.createSandbox(driverSandbox);
    } catch (error) {
      // Forget the record so a failed create changes nothing the user can see, and ask the
      // driver to drop anything it made before failing (a timeout may hide a success).
      await this.store.deleteSandbox(sandboxId);
      await driver.client.deleteSandbox(sandboxId).catch((cleanupError: unknown) => {
        this.logger.warn('cleanup after a failed create failed', { sandboxId, driver: driver.name, error: String(cleanupError) });
      });
      throw error;
    }
    this.logger.info('sandbox created', { sandboxId, sandboxName: plan.name, workspace: plan.workspace, driver: driver.name });
    this.options.events.publish({ kind: 'updated', sandbox: stored.sandbox });
    return (await this.store.getSandbox(sandboxId))?.sandbox ?? stored.sandbox;
  }

  async get(workspace: string, name: string): Promise<Sandbox> {
    return (await this.requireRecord(workspace, name)).sandbox;
  }

  async list(query: ListSandboxesQuery): Promise<Sandbox[]> {
    const records = await this.store.listSandboxes(query);
    return records.map((record) => record.sandbox);
  }

  /** Deletes in the backend, then forgets the record; false when there was no such sandbox. */
  async delete(workspace: string, name: string): Promise<boolean> {
    const record = await this.store.findSandboxByName(workspace, name);
    if (record === undefined) return false;
    const sandboxId = record.sandbox.metadata!.id;
    const marked = await this.options.statusSync.markDeleting(sandboxId);
    const driver = this.drivers.get(record.driver);
    if (driver !== undefined) await driver.client.deleteSandbox(sandboxId);
    await this.options.statusSync.forget(sandboxId, marked ?? record);
    this.logger.info('sandbox deleted', { sandboxId, sandboxName: name, workspace, driver: record.driver });
    return true;
  }

  /** Stop from Ready, Provisioning, Starting or Error; Stopping and Stopped answer with the sandbox unchanged. */
  async stop(workspace: string, name: string): Promise<Sandbox> {
    return this.power(workspace, name, 'stop');
  }

  /** Start from Stopped or Error; Starting and Ready answer with the sandbox unchanged. */
  async start(workspace: string, name: string): Promise<Sandbox> {
    return this.power(workspace, name, 'start');
  }

  private async power(workspace: string, name: string, action: 'stop' | 'start'): Promise<Sandbox> {
    const record = await this.requireRecord(workspace, name);
    const phase = record.sandbox.status?.phase ?? SandboxPhase.SANDBOX_PHASE_UNKNOWN;
    const rule = POWER_RULES[action];
    if ((rule.idempotentFrom as readonly SandboxPhase[]).includes(phase)) return record.sandbox;
    if (!(rule.allowedFrom as readonly SandboxPhase[]).includes(phase)) {
      throw new InvalidPhaseTransitionError(action, name, describePhase(phase), rule.allowedFrom.map(describePhase));
    }
    const driver = this.requireDriver(record.driver, name);
    const sandboxId = record.sandbox.metadata!.id;
    const updated = await this.options.statusSync.beginPowerChange(sandboxId, rule.desiredState, rule.transitionalPhase);
    try {
      await (action === 'stop' ? driver.client.stopSandbox(sandboxId) : driver.client.startSandbox(sandboxId));
    } catch (error) {
      await this.options.statusSync.revertPowerChange(sandboxId, record.desiredState, phase);
      throw error;
    }
    this.logger.info(`sandbox ${action} requested`, { sandboxId, sandboxName: name, workspace, driver: record.driver });
    return updated?.sandbox ?? record.sandbox;
  }

  private async ensureWorkspace(driver: DriverHandle, workspace: string): Promise<void> {
    const key = workspaceKey(driver, workspace);
    let ensured = this.ensuredWorkspaces.get(key);
    if (ensured === undefined) {
      ensured = ignoreUnimplemented(driver.client.ensureWorkspace(workspace));
      this.ensuredWorkspaces.set(key, ensured);
    }
    try {
      await ensured;
    } catch (error) {
      // A failed call is forgotten so the next create asks again.
      if (this.ensuredWorkspaces.get(key) === ensured) this.ensuredWorkspaces.delete(key);
      throw error;
    }
  }

  /** Calls DeleteWorkspace on every driver (UNIMPLEMENTED counts as done). */
  async deleteWorkspaceInDrivers(workspace: string): Promise<void> {
    for (const name of this.drivers.names()) {
      const driver = this.drivers.get(name);
      if (driver === undefined) continue;
      await ignoreUnimplemented(driver.client.deleteWorkspace(workspace));
      this.ensuredWorkspaces.delete(workspaceKey(driver, workspace));
    }
  }

  private async requireRecord(workspace: string, name: string): Promise<SandboxRecord> {
    const record = await this.store.findSandboxByName(workspace, name);
    if (record === undefined) throw new SandboxNotFoundInWorkspaceError(workspace, name);
    return record;
  }

  private requireDriver(driverName: string, sandboxName: string): DriverHandle {
    const driver = this.drivers.get(driverName);
    if (driver === undefined) throw new DriverNotConfiguredError(driverName, sandboxName);
    return driver;
  }
}

/**
 * An operator can always stop, start or restart a sandbox (issue 10): stop also from a
 * sandbox that never became Ready (Provisioning, Starting: a supervisor that never connects)
 * or failed (Error), start also from Error. A failed driver call puts back the phase and the
 * desired state it had.
 */
const POWER_RULES = {
  stop: {
    allowedFrom: [SandboxPhase.SANDBOX_PHASE_READY, SandboxPhase.SANDBOX_PHASE_PROVISIONING, SandboxPhase.SANDBOX_PHASE_STARTING, SandboxPhase.SANDBOX_PHASE_ERROR],
    idempotentFrom: [SandboxPhase.SANDBOX_PHASE_STOPPING, SandboxPhase.SANDBOX_PHASE_STOPPED],
    desiredState: DesiredState.Stopped,
    transitionalPhase: SandboxPhase.SANDBOX_PHASE_STOPPING,
  },
  start: {
    allowedFrom: [SandboxPhase.SANDBOX_PHASE_STOPPED, SandboxPhase.SANDBOX_PHASE_ERROR],
    idempotentFrom: [SandboxPhase.SANDBOX_PHASE_STARTING, SandboxPhase.SANDBOX_PHASE_READY],
    desiredState: DesiredState.Running,
    transitionalPhase: SandboxPhase.SANDBOX_PHASE_STARTING,
  },
} as const;

/** Optional RPCs (EnsureWorkspace, ValidateSandboxCreate, ...) a driver may not implement. */
async function ignoreUnimplemented(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (isShellgateError(error) && error.code === ErrorCode.Unimplemented) return;
    throw error;
  }
}

function workspaceKey(driver: Pick<DriverHandle, 'name'>, workspace: string): string {
  return `${driver.name}\0${workspace}`;
}
