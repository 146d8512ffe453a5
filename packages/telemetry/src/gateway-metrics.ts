import type { Meter } from '@opentelemetry/api';

/** One group of sandboxes for the `shellgate_sandboxes` gauge. */
export interface SandboxCount {
  readonly phase: string;
  readonly driver: string;
  readonly count: number;
}

/** The gateway's metrics; every method is cheap and never throws. */
export interface GatewayMetrics {
  /** One finished public API call: its RPC name and gRPC status name (`OK`, `NOT_FOUND`...). */
  recordApiCall(method: string, code: string): void;
  /** Seconds from a sandbox's creation to its first Ready. */
  recordCreateToReady(driver: string, seconds: number): void;
  /** Seconds from an exec request to its command running in the sandbox. */
  recordExecStart(driver: string, seconds: number): void;
  /** The gateway restarted (or re-dialed) a lost driver. */
  recordDriverRestart(driver: string): void;
  /** The gateway reopened its watch stream on a driver. */
  recordWatchReconnect(driver: string): void;
  /** The gateway's drivers: their counters start at 0, so the first restart is a change a rate sees. */
  declareDrivers(drivers: readonly string[]): void;
  /** Read at every scrape: the sandboxes by phase and driver. */
  observeSandboxes(read: () => Promise<readonly SandboxCount[]>): void;
}

/** create→Ready spans ~1 s (local Docker) to minutes (image pulls, VMs). */
const CREATE_TO_READY_BUCKETS_SECONDS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300];
/** Exec start is a session round trip: milliseconds, seconds when a supervisor is slow. */
const EXEC_START_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** The gateway's instruments on `meter`; Prometheus adds `_total` to the counters' names. */
export function createGatewayMetrics(meter: Meter): GatewayMetrics {
  const apiCalls = meter.createCounter('shellgate_api_calls', { description: 'Public API calls by RPC method and gRPC status code' });
  const createToReady = meter.createHistogram('shellgate_sandbox_create_to_ready_seconds', {
    description: 'Seconds from sandbox creation to its first Ready',
    unit: 's',
    advice: { explicitBucketBoundaries: CREATE_TO_READY_BUCKETS_SECONDS },
  });
  const execStart = meter.createHistogram('shellgate_exec_start_seconds', {
    description: 'Seconds from an exec request to its command running in the sandbox',
    unit: 's',
    advice: { explicitBucketBoundaries: EXEC_START_BUCKETS_SECONDS },
  });
  const driverRestarts = meter.createCounter('shellgate_driver_restarts', { description: 'Lost drivers the gateway restarted or re-dialed' });
  const watchReconnects = meter.createCounter('shellgate_driver_watch_reconnects', { description: 'Times the gateway reopened its watch stream on a driver' });
  const sandboxes = meter.createObservableGauge('shellgate_sandboxes', { description: 'Sandboxes by phase and compute driver' });
  let readSandboxes: (() => Promise<readonly SandboxCount[]>) | undefined;
  sandboxes.addCallback(async (result) => {
    for (const group of (await readSandboxes?.()) ?? []) result.observe(group.count, { phase: group.phase, driver: group.driver });
  });
  return {
    recordApiCall: (method, code) => apiCalls.add(1, { method, code }),
    recordCreateToReady: (driver, seconds) => createToReady.record(seconds, { driver }),
    recordExecStart: (driver, seconds) => execStart.record(seconds, { driver }),
    recordDriverRestart: (driver) => driverRestarts.add(1, { driver }),
    recordWatchReconnect: (driver) => watchReconnects.add(1, { driver }),
    declareDrivers: (drivers) => {
      for (const driver of drivers) {
        driverRestarts.add(0, { driver });
        watchReconnects.add(0, { driver });
      }
    },
    observeSandboxes: (read) => {
      readSandboxes = read;
    },
  };
}
