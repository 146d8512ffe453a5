import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TELEMETRY_ENABLED_ENV, TELEMETRY_METRICS_LISTEN_ENV } from './env.js';

/** One group of sandboxes for the `shellgate_sandboxes` gauge. */
export interface SandboxCount {
  readonly phase: string;
  readonly driver: string;
  readonly count: number;
}

/** What the gateway reports; every method is cheap and never throws. */
export interface GatewayTelemetry {
  /** Where /metrics is served (`HOST:PORT`). */
  readonly metricsAddress: string;
  /** One finished public API call: its RPC name and gRPC status name (`OK`, `NOT_FOUND`...). */
  recordApiCall(method: string, code: string): void;
  /** Seconds from a sandbox's creation to its first Ready. */
  recordCreateToReady(driver: string, seconds: number): void;
  /** Read at every scrape: the sandboxes by phase and driver. */
  observeSandboxes(read: () => Promise<readonly SandboxCount[]>): void;
  close(): Promise<void>;
}

export interface GatewayTelemetryOptions {
  readonly env: NodeJS.ProcessEnv;
}

/** Prometheus' default exporter port. */
const DEFAULT_METRICS_LISTEN = '127.0.0.1:9464';
/** create→Ready spans ~1 s (local Docker) to minutes (image pulls, VMs). */
const CREATE_TO_READY_BUCKETS_SECONDS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** True when OPENSHELL_TELEMETRY_ENABLED is `1`, `true` or `yes` (any case). */
export function isTelemetryEnabled(env: NodeJS.ProcessEnv): boolean {
  return /^(1|true|yes)$/i.test(env[TELEMETRY_ENABLED_ENV]?.trim() ?? '');
}

function parseListen(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  const port = Number(value.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${TELEMETRY_METRICS_LISTEN_ENV}=${JSON.stringify(value)} is not HOST:PORT (e.g. ${DEFAULT_METRICS_LISTEN})`);
  }
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ''), port };
}

/**
 * Starts the gateway's metrics when telemetry is enabled: an OpenTelemetry meter whose
 * Prometheus exporter serves /metrics on OPENSHELL_TELEMETRY_METRICS_LISTEN (default
 * 127.0.0.1:9464). Disabled: returns undefined, having opened no listener and created nothing.
 */
export async function startGatewayTelemetry(options: GatewayTelemetryOptions): Promise<GatewayTelemetry | undefined> {
  if (!isTelemetryEnabled(options.env)) return undefined;
  const listen = options.env[TELEMETRY_METRICS_LISTEN_ENV]?.trim() || DEFAULT_METRICS_LISTEN;
  const { host, port } = parseListen(listen);
  // Without otel_scope_* labels: every series here comes from the one gateway meter.
  const exporter = new PrometheusExporter({ host, port, preventServerStart: true, withoutScopeInfo: true });
  await exporter.startServer();
  const provider = new MeterProvider({ readers: [exporter], resource: resourceFromAttributes({ 'service.name': 'shellgate-gateway' }) });
  const meter = provider.getMeter('shellgate-gateway');
  const apiCalls = meter.createCounter('shellgate_api_calls', { description: 'Public API calls by RPC method and gRPC status code' });
  const createToReady = meter.createHistogram('shellgate_sandbox_create_to_ready_seconds', {
    description: 'Seconds from sandbox creation to its first Ready',
    unit: 's',
    advice: { explicitBucketBoundaries: CREATE_TO_READY_BUCKETS_SECONDS },
  });
  const sandboxes = meter.createObservableGauge('shellgate_sandboxes', { description: 'Sandboxes by phase and compute driver' });
  let readSandboxes: (() => Promise<readonly SandboxCount[]>) | undefined;
  sandboxes.addCallback(async (result) => {
    for (const group of (await readSandboxes?.()) ?? []) result.observe(group.count, { phase: group.phase, driver: group.driver });
  });
  return {
    metricsAddress: `${host}:${port}`,
    recordApiCall: (method, code) => apiCalls.add(1, { method, code }),
    recordCreateToReady: (driver, seconds) => createToReady.record(seconds, { driver }),
    observeSandboxes: (read) => {
      readSandboxes = read;
    },
    close: async () => {
      await provider.shutdown();
      await exporter.stopServer();
    },
  };
}
