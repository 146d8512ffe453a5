import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DriverCallObserver, Logger } from '@shellgate/driver-sdk';

/** The optional telemetry package: never a dependency of the gateway (docs/packaging.md). */
export const TELEMETRY_PACKAGE = '@shellgate/telemetry';
/** Upstream's switch; the package itself decides which values enable it. */
export const TELEMETRY_ENABLED_ENV = 'OPENSHELL_TELEMETRY_ENABLED';

/** One group of sandboxes for the sandboxes-by-phase gauge. */
export interface SandboxCount {
  readonly phase: string;
  readonly driver: string;
  readonly count: number;
}

/** What the gateway reports to @shellgate/telemetry (its `GatewayTelemetry`, structurally). */
export interface GatewayTelemetry {
  readonly metricsAddress: string;
  /** Where spans go; undefined: no traces. */
  readonly tracesUrl: string | undefined;
  recordApiCall(method: string, code: string): void;
  recordCreateToReady(driver: string, seconds: number): void;
  recordExecStart(driver: string, seconds: number): void;
  recordDriverRestart(driver: string): void;
  recordWatchReconnect(driver: string): void;
  /** Starts the per-driver counters at 0. */
  declareDrivers(drivers: readonly string[]): void;
  observeSandboxes(read: () => Promise<readonly SandboxCount[]>): void;
  /** Runs one public API call's work inside its span (when traces are on), parented on the caller's `traceparent`. */
  traceApiCall<T>(method: string, work: () => Promise<T>, traceparent?: string): Promise<T>;
  /** A span per call of a traced API call's driver calls, with `traceparent` in their metadata. */
  traceDriverCalls(driver: string): DriverCallObserver;
  close(): Promise<void>;
}

interface TelemetryModule {
  startGatewayTelemetry(options: { env: NodeJS.ProcessEnv }): Promise<GatewayTelemetry | undefined>;
}

export interface LoadTelemetryOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Where to look for the package besides the gateway's own install; default the cwd. */
  readonly baseDirs?: readonly string[];
}

/**
 * Loads @shellgate/telemetry only when OPENSHELL_TELEMETRY_ENABLED is set and the package is
 * installed (beside the gateway, as drivers are found), and lets it start; otherwise none of
 * its code is loaded. Enabled but not installed is logged, not fatal: metrics are optional.
 */
export async function loadTelemetry(options: LoadTelemetryOptions): Promise<GatewayTelemetry | undefined> {
  if ((options.env[TELEMETRY_ENABLED_ENV] ?? '').trim() === '') return undefined;
  const entry = resolveTelemetryEntry(options.baseDirs ?? [process.cwd()]);
  if (entry === undefined) {
    options.logger.warn('telemetry is enabled but its package is not installed; no metrics', {
      env: TELEMETRY_ENABLED_ENV,
      hint: `install ${TELEMETRY_PACKAGE} next to @shellgate/gateway (npm install ${TELEMETRY_PACKAGE})`,
    });
    return undefined;
  }
  const telemetryModule = (await import(pathToFileURL(entry).href)) as TelemetryModule;
  const telemetry = await telemetryModule.startGatewayTelemetry({ env: options.env });
  if (telemetry !== undefined) {
    options.logger.info('telemetry serving Prometheus metrics', { address: telemetry.metricsAddress, path: '/metrics', traces: telemetry.tracesUrl ?? 'off' });
  }
  return telemetry;
}

function resolveTelemetryEntry(baseDirs: readonly string[]): string | undefined {
  for (const require of [createRequire(import.meta.url), ...baseDirs.map((dir) => createRequire(join(dir, 'noop.js')))]) {
    try {
      return require.resolve(TELEMETRY_PACKAGE);
    } catch {
      // Not installed here; try the next base.
    }
  }
  return undefined;
}
