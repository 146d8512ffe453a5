import { SandboxPhase, type PlatformEvent } from '@shellgate/api';
import { silentLogger, type DriverPlatformEvent, type DriverSandbox, type DriverSandboxStatus, type Logger } from '@shellgate/driver-sdk';
import { updateSandboxWithRetry, type DesiredState, type GatewayStore, type SandboxRecord } from '../store/index.js';
import type { DriverDirectory } from './driver-directory.js';
import type { SandboxEventBus } from './sandbox-event-bus.js';
import { withMainProcessExit, type MainProcessExit } from './main-process-exit.js';
import { decideSandboxPhase, showsPowerChange } from './sandbox-phase.js';
import { isSameStatus, withBackendFields } from './sandbox-records.js';
import type { SessionRegistry } from './session-registry.js';
import { sessionReplicaOf, withSessionReplica } from './session-replica.js';

export interface SandboxStatusSyncOptions {
  store: GatewayStore;
  drivers: DriverDirectory;
  sessions: SessionRegistry;
  events: SandboxEventBus;
  logger?: Logger;
  nowMs?: () => number;
  /**
   * Set when several gateway replicas share the store (see docs/replicas.md). A sandbox's
   * session then counts wherever it is: the replica holding it records itself on the
   * record, so every replica derives the same phase.
   */
  replicas?: ReplicaStatusOptions;
}

/** How a replica takes part in the status of sandboxes it shares with other replicas. */
export interface ReplicaStatusOptions {
  /** This replica's id, recorded on the sandboxes whose supervisor session it holds. */
  readonly replicaId: string;
  /**
   * The store that driver reports are written through: the leader's, fenced by its lease
   * epoch, while this replica leads; undefined otherwise. Every replica watches its
   * drivers, so reports from one shared backend arrive several times, possibly out of
   * order: only the leader writes them, and the others keep them in memory only.
   */
  leaderStore(): GatewayStore | undefined;
}

/**
 * Turns what drivers and supervisor sessions report into the stored public status. The
 * latest backend status of each sandbox is kept in memory: after a gateway restart every
 * driver's watch snapshot brings it back, so it never needs to be stored.
 */
export class SandboxStatusSync {
  /**
   * The latest status per sandbox, by the driver that reported it: only the owning driver's
   * counts. Non-leader replicas keep reports without reading the record, so a report from a
   * driver that does not own the sandbox is kept apart rather than refused.
   */
  private readonly backendStatuses = new Map<string, Map<string, DriverSandboxStatus>>();
  /** Sandboxes with a stop or start whose outcome the driver has not reported yet, by desired state (PhaseInputs.isBackendStale). */
  private readonly powerChangesAwaitingReport = new Map<string, DesiredState>();
  /** Sandboxes the gateway lifecycle is stopping for a shutdown (PhaseInputs.isShutdownStop). */
  private readonly shutdownStops = new Set<string>();
  private readonly logger: Logger;
  private readonly nowMs: () => number;

  constructor(private readonly options: SandboxStatusSyncOptions) {
    this.logger = options.logger ?? silentLogger;
    this.nowMs = options.nowMs ?? Date.now;
    options.sessions.onChange((sandboxId, isConnected) => {
      this.applyLocalSession(sandboxId, isConnected).catch((error: unknown) => this.logger.warn('phase refresh after a session change failed', { sandboxId, error }));
    });
  }

  /** A sandbox as the driver reports it (watch event or list). */
  async applyBackendSandbox(driverName: string, backend: DriverSandbox): Promise<void> {
    const writer = this.reportWriter();
    if (writer === undefined) {
      // Another replica leads and writes the reports; this one keeps the status for the writes
      // it makes itself (sessions, power changes). No read: every replica hears every report.
      this.rememberBackendStatus(driverName, backend);
      return;
    }
    const record = await this.options.store.getSandbox(backend.id);
    if (record === undefined) {
      this.logger.debug('driver reports a sandbox this gateway does not know', { driver: driverName, sandboxId: backend.id });
      return;
    }
    if (record.driver !== driverName) {
      this.logger.warn('sandbox reported by a driver that does not own it', { driver: driverName, owner: record.driver, sandboxId: backend.id });
      return;
    }
    this.rememberBackendStatus(driverName, backend);
    await this.update(backend.id, (current) => ({ ...current, missingSinceMs: undefined }), writer, record);
  }

  private rememberBackendStatus(driverName: string, backend: DriverSandbox): void {
    if (backend.status === undefined) return;
    let byDriver = this.backendStatuses.get(backend.id);
    if (byDriver === undefined) {
      byDriver = new Map();
      this.backendStatuses.set(backend.id, byDriver);
    }
    byDriver.set(driverName, backend.status);
    const awaited = this.powerChangesAwaitingReport.get(backend.id);
    if (awaited !== undefined && showsPowerChange(awaited, backend.status)) this.powerChangesAwaitingReport.delete(backend.id);
  }

  /** The driver says the sandbox is gone from the backend. */
  async applyBackendDeleted(driverName: string, sandboxId: string): Promise<void> {
    const record = await this.options.store.getSandbox(sandboxId);
    if (record?.driver !== driverName) return;
    const writer = this.reportWriter();
    if (writer === undefined) {
      this.backendStatuses.delete(sandboxId);
      return;
    }
    this.logger.info('sandbox removed from the backend', { driver: driverName, sandboxId });
    await this.forget(sandboxId, record, writer);
  }

  /**
   * This replica's own session of the sandbox connected or ended. With replicas the record
   * names the holder: set on connect, cleared on end unless another replica took it since.
   */
  async applyLocalSession(sandboxId: string, isConnected: boolean): Promise<SandboxRecord | undefined> {
    const replicaId = this.options.replicas?.replicaId;
    if (replicaId === undefined) return this.refresh(sandboxId);
    return this.update(sandboxId, (current) => {
      if (isConnected) return withSessionReplica(current, replicaId);
      return sessionReplicaOf(current.sandbox) === replicaId ? withSessionReplica(current, undefined) : current;
    });
  }

  /**
   * The leader's cleanup after replica `replicaId` died: its sessions died with it, so the
   * sandboxes it held wait for their supervisors to reconnect elsewhere.
   */
  async releaseSession(sandboxId: string, replicaId: string, writer: GatewayStore): Promise<SandboxRecord | undefined> {
    return this.update(sandboxId, (current) => (sessionReplicaOf(current.sandbox) === replicaId ? withSessionReplica(current, undefined) : current), writer);
  }

  /** The store that driver reports go to; undefined when this replica only observes them. */
  private reportWriter(): GatewayStore | undefined {
    const replicas = this.options.replicas;
    return replicas === undefined ? this.options.store : replicas.leaderStore();
  }

  applyPlatformEvent(sandboxId: string, event: DriverPlatformEvent): void {
    const publicEvent: PlatformEvent = { ...event, metadata: { ...event.metadata } };
    this.options.events.publish({ kind: 'platformEvent', sandboxId, event: publicEvent });
  }

  /** The supervisor started the canonical process; `instanceId` names that supervisor instance. */
  async applyMainProcessStarted(sandboxId: string, instanceId: string): Promise<SandboxRecord | undefined> {
    return this.update(sandboxId, (current) => {
      const status = current.sandbox.status!;
      // An Error sandbox keeps the exit code that explains it.
      const exitCode = status.phase === SandboxPhase.SANDBOX_PHASE_ERROR ? status.exitCode : undefined;
      return { ...current, sandbox: { ...current.sandbox, status: { ...status, mainProcessInstanceId: instanceId, exitCode } } };
    });
  }

  /**
   * The canonical process ended: Error (MainProcessExited) unless a stop or delete caused it.
   * Only the supervisor instance that reported its start (`status.main_process_instance_id`)
   * may report its exit; any other report is logged and ignored, so a session opened with a
   * stolen token cannot fail a sandbox whose process still runs.
   */
  async applyMainProcessExited(sandboxId: string, instanceId: string, exit: MainProcessExit): Promise<SandboxRecord | undefined> {
    const now = new Date(this.nowMs());
    let startedBy: string | undefined;
    const result = await this.update(sandboxId, (current) => {
      startedBy = current.sandbox.status!.mainProcessInstanceId;
      return instanceId !== '' && startedBy === instanceId ? withMainProcessExit(current, exit, now) : current;
    });
    if (startedBy !== undefined && (instanceId === '' || startedBy !== instanceId)) {
      this.logger.warn('main process exit reported by a supervisor instance that did not start it; ignored', {
        sandboxId,
        instanceId,
        mainProcessInstanceId: startedBy,
        exitCode: exit.exitCode,
      });
    }
    return result;
  }

  /** Recomputes the phase from what is known now (session change, driver restart). */
  async refresh(sandboxId: string): Promise<SandboxRecord | undefined> {
    return this.update(sandboxId, (current) => current);
  }

  async markDeleting(sandboxId: string): Promise<SandboxRecord | undefined> {
    const nowMs = this.nowMs();
    return this.update(sandboxId, (current) => ({
      ...current,
      sandbox: { ...current.sandbox, metadata: { ...current.sandbox.metadata!, deletionTimestampMs: current.sandbox.metadata!.deletionTimestampMs || nowMs } },
    }));
  }

  /**
   * A user's stop or start: the desired state and the transitional phase (Stopping,
   * Starting). Until the driver reports the outcome, its reports no longer decide the phase
   * (an Error sandbox being restarted must not fall back to Error on its old run's exit).
   */
  async beginPowerChange(sandboxId: string, desiredState: DesiredState, phase: SandboxPhase): Promise<SandboxRecord | undefined> {
    this.powerChangesAwaitingReport.set(sandboxId, desiredState);
    return this.writeDesiredState(sandboxId, desiredState, phase);
  }

  /**
   * The gateway lifecycle is about to stop this sandbox for a shutdown, keeping its desired
   * state running: from now on a stop report (upstream drivers' Ready=False ContainerExited
   * too) shows Stopped, which the next startup starts again, rather than a sticky Error.
   */
  expectShutdownStop(sandboxId: string): void {
    this.shutdownStops.add(sandboxId);
  }

  /** Puts back the desired state and phase of a power change the driver refused. */
  async revertPowerChange(sandboxId: string, desiredState: DesiredState, phase: SandboxPhase): Promise<SandboxRecord | undefined> {
    this.powerChangesAwaitingReport.delete(sandboxId);
    return this.writeDesiredState(sandboxId, desiredState, phase);
  }

  private async writeDesiredState(sandboxId: string, desiredState: DesiredState, phase: SandboxPhase): Promise<SandboxRecord | undefined> {
    return this.update(sandboxId, (current) => ({
      ...current,
      desiredState,
      sandbox: { ...current.sandbox, status: { ...current.sandbox.status!, phase } },
    }));
  }

  /** Removes the record and tells watchers; idempotent. */
  async forget(sandboxId: string, record: SandboxRecord, writer: GatewayStore = this.options.store): Promise<void> {
    this.backendStatuses.delete(sandboxId);
    this.powerChangesAwaitingReport.delete(sandboxId);
    this.shutdownStops.delete(sandboxId);
    const removed = await writer.deleteSandbox(sandboxId);
    if (!removed) return;
    const sandbox = record.sandbox;
    this.options.events.publish({
      kind: 'deleted',
      sandbox: { ...sandbox, status: { ...sandbox.status!, phase: SandboxPhase.SANDBOX_PHASE_DELETING } },
    });
  }

  /**
   * Applies `mutate`, re-derives the phase and writes only when something visible changed
   * (compare-and-set, re-read on conflict), then publishes the new object. `justRead` saves
   * the first read when the caller has the record already.
   * @returns the record written, or the one read when nothing changed.
   */
  private async update(
    sandboxId: string,
    mutate: (current: SandboxRecord) => SandboxRecord,
    writer: GatewayStore = this.options.store,
    justRead?: SandboxRecord,
  ): Promise<SandboxRecord | undefined> {
    let lastRead: SandboxRecord | undefined;
    const written = await updateSandboxWithRetry(writer, sandboxId, (current) => {
      lastRead = current;
      const next = this.withDerivedPhase(mutate(current));
      const isUnchanged = isSameStatus(current.sandbox, next.sandbox) && next.desiredState === current.desiredState
        && next.missingSinceMs === current.missingSinceMs
        && sessionReplicaOf(next.sandbox) === sessionReplicaOf(current.sandbox)
        && next.sandbox.metadata!.deletionTimestampMs === current.sandbox.metadata!.deletionTimestampMs;
      return isUnchanged ? undefined : next;
    }, { current: justRead });
    if (written === undefined) return lastRead;
    this.options.events.publish({ kind: 'updated', sandbox: written.sandbox });
    return written;
  }

  private withDerivedPhase(record: SandboxRecord): SandboxRecord {
    const sandboxId = record.sandbox.metadata!.id;
    const backendStatus = this.backendStatuses.get(sandboxId)?.get(record.driver);
    const decision = decideSandboxPhase(
      {
        backendStatus,
        previousPhase: record.sandbox.status!.phase,
        previousConditions: record.sandbox.status!.conditions,
        desiredState: record.desiredState,
        isDeleting: record.sandbox.metadata!.deletionTimestampMs > 0,
        hasSupervisorSession: this.options.replicas === undefined ? this.options.sessions.hasLiveSession(sandboxId) : sessionReplicaOf(record.sandbox) !== undefined,
        requiresSupervisor: this.options.drivers.get(record.driver)?.requiresSupervisor ?? true,
        isBackendStale: this.powerChangesAwaitingReport.has(sandboxId),
        isShutdownStop: this.shutdownStops.has(sandboxId),
      },
      new Date(this.nowMs()),
    );
    return { ...record, sandbox: withBackendFields(record.sandbox, backendStatus, decision.phase, decision.conditions) };
  }

  /** Marks the start of a driver's absence from its own list (reconcile). */
  async markMissing(sandboxId: string, sinceMs: number, writer: GatewayStore = this.options.store): Promise<SandboxRecord | undefined> {
    return this.update(sandboxId, (current) => (current.missingSinceMs === undefined ? { ...current, missingSinceMs: sinceMs } : current), writer);
  }
}
