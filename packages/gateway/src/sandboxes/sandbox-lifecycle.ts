import { SandboxPhase } from '@shellgate/api';
import { silentLogger, type Logger } from '@shellgate/driver-sdk';
import { DesiredState, type GatewayStore, type SandboxRecord } from '../store/index.js';
import type { DriverDirectory } from './driver-directory.js';
import type { SandboxStatusSync } from './sandbox-status-sync.js';

export interface SandboxLifecycleOptions {
  store: GatewayStore;
  drivers: DriverDirectory;
  logger?: Logger;
  /** Parallel stop/start calls. Upstream: 16. */
  concurrency?: number;
  /** Told of each shutdown stop, and given the driver's state after it, so it is stored as Stopped. */
  statusSync?: Pick<SandboxStatusSync, 'expectShutdownStop' | 'applyBackendSandbox'>;
}

const RUNNING_PHASES: ReadonlySet<SandboxPhase> = new Set([
  SandboxPhase.SANDBOX_PHASE_READY,
  SandboxPhase.SANDBOX_PHASE_PROVISIONING,
  SandboxPhase.SANDBOX_PHASE_STARTING,
]);

/**
 * For drivers that say `gateway_manages_lifecycle`: a graceful gateway shutdown stops the
 * sandboxes that run without forgetting that they should (desired state stays "running"),
 * and the next startup starts them again.
 */
export class SandboxLifecycle {
  private readonly logger: Logger;

  constructor(private readonly options: SandboxLifecycleOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'lifecycle' });
  }

  async stopAllForShutdown(): Promise<number> {
    const targets = await this.managedRecords((record) => RUNNING_PHASES.has(record.sandbox.status!.phase));
    const { statusSync } = this.options;
    await this.forEachBounded(targets, 'stop', async (driver, id) => {
      statusSync?.expectShutdownStop(id);
      await driver.client.stopSandbox(id);
      // Stored now: the gateway's watch may end before the driver's report of the stop arrives,
      // and the next startup starts only what was stored Stopped.
      if (statusSync !== undefined) await statusSync.applyBackendSandbox(driver.name, await driver.client.getSandbox(id));
    });
    return targets.length;
  }

  async startAllAfterStartup(): Promise<number> {
    const targets = await this.managedRecords((record) => record.sandbox.status!.phase === SandboxPhase.SANDBOX_PHASE_STOPPED);
    await this.forEachBounded(targets, 'start', (driver, id) => driver.client.startSandbox(id));
    return targets.length;
  }

  private async managedRecords(isTarget: (record: SandboxRecord) => boolean): Promise<SandboxRecord[]> {
    const out: SandboxRecord[] = [];
    for (const name of this.options.drivers.names()) {
      if (!this.options.drivers.get(name)?.capabilities.gatewayManagesLifecycle) continue;
      const records = await this.options.store.listSandboxes({ driver: name });
      out.push(...records.filter((r) => r.desiredState === DesiredState.Running && r.sandbox.metadata!.deletionTimestampMs === 0 && isTarget(r)));
    }
    return out;
  }

  private async forEachBounded(
    records: SandboxRecord[],
    action: string,
    call: (driver: NonNullable<ReturnType<DriverDirectory['get']>>, sandboxId: string) => Promise<void>,
  ): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < records.length) {
        const record = records[next++]!;
        const sandboxId = record.sandbox.metadata!.id;
        const driver = this.options.drivers.get(record.driver);
        if (driver === undefined) continue;
        try {
          await call(driver, sandboxId);
          this.logger.info(`sandbox ${action} for gateway lifecycle`, { sandboxId, driver: record.driver });
        } catch (error) {
          this.logger.warn(`sandbox ${action} for gateway lifecycle failed`, { sandboxId, driver: record.driver, error: String(error) });
        }
      }
    };
    const concurrency = Math.max(1, this.options.concurrency ?? 16);
    await Promise.all(Array.from({ length: Math.min(concurrency, records.length) }, worker));
  }
}
