import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, isShellgateError, silentLogger, type Logger, type WatchSandboxesEvent } from '@shellgate/driver-sdk';
import type { GatewayStore, SandboxRecord } from '../store/index.js';
import type { DriverDirectory } from './driver-directory.js';
import type { SandboxStatusSync } from './sandbox-status-sync.js';

export interface DriverWatcherOptions {
  drivers: DriverDirectory;
  store: GatewayStore;
  statusSync: SandboxStatusSync;
  logger?: Logger;
  /** Pause before re-opening a dropped watch stream. Upstream: 2 s fixed. */
  watchReconnectDelayMs?: number;
  /** Period of the ListSandboxes sweep. Upstream: 60 s. */
  reconcileIntervalMs?: number;
  /** How long a sandbox may be missing from its driver's list before it is pruned. Upstream: 300 s. */
  orphanGraceMs?: number;
  nowMs?: () => number;
  /** Told each time a driver's watch stream is reopened (optional telemetry). */
  onWatchReconnect?: (driver: string) => void;
  /**
   * Set when replicas share the store: the reconcile sweep (and the pruning it does) must
   * run once, so only the leader sweeps, through its fenced store; undefined while this
   * replica does not lead. Every replica still watches its drivers.
   */
  leaderStore?: () => GatewayStore | undefined;
}

/**
 * Keeps the store in step with every driver: one watch stream per driver (snapshot, then
 * events; reopened after a drop), and a periodic ListSandboxes sweep that catches what a
 * watch missed and prunes records whose sandbox stayed gone past the grace period, after
 * a GetSandbox re-check. A (re)connected driver is re-listed at once.
 */
export class DriverWatcher {
  private readonly closed = new AbortController();
  private readonly streams = new Map<string, AbortController>();
  private readonly loops: Promise<void>[] = [];
  private readonly logger: Logger;
  private readonly nowMs: () => number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: DriverWatcherOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'driver-watcher' });
    this.nowMs = options.nowMs ?? Date.now;
  }

  /**
   * Sweeps every driver once (so state is current before the API opens), then watches.
   * `initialSweep: false` leaves the first sweep to the caller (a newly elected leader's).
   */
  async start({ initialSweep = true }: { initialSweep?: boolean } = {}): Promise<void> {
    if (initialSweep) await this.sweepAll();
    for (const name of this.options.drivers.names()) this.loops.push(this.watchLoop(name));
    this.unsubscribe = this.options.drivers.onDriverConnected((name) => {
      this.streams.get(name)?.abort();
      void this.sweepLogged(name);
    });
    const interval = this.options.reconcileIntervalMs ?? 60_000;
    this.sweepTimer = setInterval(() => void this.sweepAll(), interval);
    this.sweepTimer.unref();
  }

  /** One sweep of every driver, each failure logged (e.g. at once when this replica becomes leader). */
  async sweepAll(): Promise<void> {
    for (const name of this.options.drivers.names()) await this.sweepLogged(name);
  }

  async close(): Promise<void> {
    this.closed.abort();
    this.unsubscribe?.();
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    for (const stream of this.streams.values()) stream.abort();
    await Promise.allSettled(this.loops);
  }

  private async watchLoop(name: string): Promise<void> {
    const reconnectDelayMs = this.options.watchReconnectDelayMs ?? 2_000;
    for (let opened = 0; !this.closed.signal.aborted; opened += 1) {
      if (opened > 0) this.options.onWatchReconnect?.(name);
      const stream = new AbortController();
      this.streams.set(name, stream);
      try {
        const driver = this.options.drivers.get(name);
        if (driver === undefined) return;
        for await (const event of driver.client.watchSandboxes(stream.signal)) await this.apply(name, event);
        // Aborting ends a DriverClient watch quietly (no throw), so these checks are needed
        // here as well as in the catch: close() must not log, a reconnect must not wait.
        if (this.closed.signal.aborted) return;
        if (stream.signal.aborted) continue;
        this.logger.warn('driver watch stream ended; reopening', { driver: name });
      } catch (error) {
        if (this.closed.signal.aborted) return;
        // A stream we aborted for a reconnected driver reopens at once.
        if (stream.signal.aborted) continue;
        const isLagged = isShellgateError(error) && error.code === ErrorCode.Aborted;
        this.logger.warn(isLagged ? 'driver ended our watch (we fell behind); reopening' : 'driver watch failed; reopening', {
          driver: name,
          error: describeError(error),
          retryInMs: reconnectDelayMs,
        });
      }
      await delay(reconnectDelayMs, undefined, { signal: this.closed.signal }).catch(() => undefined);
    }
  }

  private async apply(driverName: string, event: WatchSandboxesEvent): Promise<void> {
    const payload = event.payload;
    try {
      switch (payload?.$case) {
        case 'sandbox':
          if (payload.sandbox.sandbox !== undefined) await this.options.statusSync.applyBackendSandbox(driverName, payload.sandbox.sandbox);
          return;
        case 'deleted':
          await this.options.statusSync.applyBackendDeleted(driverName, payload.deleted.sandboxId);
          return;
        case 'platformEvent':
          if (payload.platformEvent.event !== undefined) this.options.statusSync.applyPlatformEvent(payload.platformEvent.sandboxId, payload.platformEvent.event);
          return;
        default:
          return;
      }
    } catch (error) {
      this.logger.warn('applying a driver event failed', { driver: driverName, error: describeError(error) });
    }
  }

  private async sweepLogged(name: string): Promise<void> {
    try {
      await this.sweep(name);
    } catch (error) {
      if (!this.closed.signal.aborted) this.logger.warn('reconcile sweep failed', { driver: name, error: describeError(error) });
    }
  }

  /** One reconcile pass over a driver: apply its list, then age and prune what it lacks. */
  async sweep(name: string): Promise<void> {
    const driver = this.options.drivers.get(name);
    const writer = this.options.leaderStore === undefined ? this.options.store : this.options.leaderStore();
    if (driver === undefined || writer === undefined) return;
    const listed = await driver.client.listSandboxes();
    const listedIds = new Set<string>();
    for (const sandbox of listed) {
      listedIds.add(sandbox.id);
      await this.options.statusSync.applyBackendSandbox(name, sandbox);
    }
    const records = await this.options.store.listSandboxes({ driver: name });
    const failures: unknown[] = [];
    for (const record of records) {
      const sandboxId = record.sandbox.metadata!.id;
      // One record that fails (driver error, concurrent delete) must not stop the others.
      try {
        // A delete whose driver call failed earlier is finished here.
        if (record.sandbox.metadata!.deletionTimestampMs > 0) {
          await driver.client.deleteSandbox(sandboxId);
          await this.options.statusSync.forget(sandboxId, record, writer);
        } else if (!listedIds.has(sandboxId)) {
          await this.handleMissing(name, record, writer);
        }
      } catch (error) {
        failures.push(error);
      }
    }
    this.logger.debug('reconcile sweep finished', { driver: name, listed: listed.length, records: records.length, failed: failures.length });
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `reconcile of ${failures.length} sandboxes of driver ${JSON.stringify(name)} failed`);
  }

  private async handleMissing(driverName: string, record: SandboxRecord, writer: GatewayStore): Promise<void> {
    const sandboxId = record.sandbox.metadata!.id;
    const nowMs = this.nowMs();
    if (record.missingSinceMs === undefined) {
      await this.options.statusSync.markMissing(sandboxId, nowMs, writer);
      return;
    }
    const graceMs = this.options.orphanGraceMs ?? 300_000;
    if (nowMs - record.missingSinceMs < graceMs) return;
    const driver = this.options.drivers.get(driverName);
    if (driver === undefined) return;
    try {
      const sandbox = await driver.client.getSandbox(sandboxId);
      await this.options.statusSync.applyBackendSandbox(driverName, sandbox);
    } catch (error) {
      if (!(isShellgateError(error) && error.code === ErrorCode.NotFound)) throw error;
      this.logger.warn('pruning a sandbox its driver no longer has', { driver: driverName, sandboxId, missingForMs: nowMs - record.missingSinceMs });
      await this.options.statusSync.forget(sandboxId, record, writer);
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
