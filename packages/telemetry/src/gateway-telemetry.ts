import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TELEMETRY_ENABLED_ENV, TELEMETRY_METRICS_LISTEN_ENV, resolveTracesUrl } from './env.js';
import { createGatewayMetrics } from './gateway-metrics.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { startGatewayTracing } from './gateway-tracing.js';
import type { DriverCallTracer } from './gateway-tracing.js';

/** What the gateway reports; every method is cheap and never throws. */
export interface GatewayTelemetry extends GatewayMetrics {
  /** Where /metrics is served (`HOST:PORT`). */
  readonly metricsAddress: string;
  /** Where spans are exported; undefined when no OTLP endpoint is set (then none are made). */
  readonly tracesUrl: string | undefined;
  /** Runs one public API call's work, inside its span when traces are on (parented on the caller's `traceparent`, if sent). */
  traceApiCall<T>(method: string, work: () => Promise<T>, traceparent?: string): Promise<T>;
  /** The tracer of one driver's client calls: a child span per call, its `traceparent` sent along. */
  traceDriverCalls(driver: string): DriverCallTracer;
  close(): Promise<void>;
}

export interface GatewayTelemetryOptions {
  readonly env: NodeJS.ProcessEnv;
}

/** Prometheus' default exporter port. */
const DEFAULT_METRICS_LISTEN = '127.0.0.1:9464';
const UNTRACED_DRIVER_CALLS: DriverCallTracer = { startCall: () => undefined };

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
 * Starts the gateway's telemetry when it is enabled: an OpenTelemetry meter whose Prometheus
 * exporter serves /metrics on OPENSHELL_TELEMETRY_METRICS_LISTEN (default 127.0.0.1:9464),
 * and, when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set, OTLP/HTTP traces.
 * Disabled: returns undefined, having opened no listener and created nothing.
 */
export async function startGatewayTelemetry(options: GatewayTelemetryOptions): Promise<GatewayTelemetry | undefined> {
  if (!isTelemetryEnabled(options.env)) return undefined;
  const listen = options.env[TELEMETRY_METRICS_LISTEN_ENV]?.trim() || DEFAULT_METRICS_LISTEN;
  const { host, port } = parseListen(listen);
  // Without otel_scope_* labels: every series here comes from the one gateway meter.
  const exporter = new PrometheusExporter({ host, port, preventServerStart: true, withoutScopeInfo: true });
  await exporter.startServer();
  const resource = resourceFromAttributes({ 'service.name': 'shellgate-gateway' });
  const provider = new MeterProvider({ readers: [exporter], resource });
  const tracesUrl = resolveTracesUrl(options.env);
  const tracing = tracesUrl === undefined ? undefined : startGatewayTracing(tracesUrl, resource);
  return {
    ...createGatewayMetrics(provider.getMeter('shellgate-gateway')),
    metricsAddress: `${host}:${port}`,
    tracesUrl,
    traceApiCall: (method, work, traceparent) => (tracing === undefined ? work() : tracing.traceApiCall(method, work, traceparent)),
    traceDriverCalls: (driver) => tracing?.traceDriverCalls(driver) ?? UNTRACED_DRIVER_CALLS,
    close: async () => {
      await tracing?.close();
      await provider.shutdown();
      await exporter.stopServer();
    },
  };
}
