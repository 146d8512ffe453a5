/** Upstream's runtime switch: telemetry emits nothing unless this is `1`, `true` or `yes`. */
export const TELEMETRY_ENABLED_ENV = 'OPENSHELL_TELEMETRY_ENABLED';
/** `HOST:PORT` the Prometheus /metrics endpoint listens on; default 127.0.0.1:9464. */
export const TELEMETRY_METRICS_LISTEN_ENV = 'OPENSHELL_TELEMETRY_METRICS_LISTEN';
/** OpenTelemetry's standard collector base URL; traces go to `<it>/v1/traces`. */
export const OTLP_ENDPOINT_ENV = 'OTEL_EXPORTER_OTLP_ENDPOINT';
/** OpenTelemetry's standard traces URL, used as is; wins over {@link OTLP_ENDPOINT_ENV}. */
export const OTLP_TRACES_ENDPOINT_ENV = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';

/**
 * Where OTLP/HTTP traces go, as OpenTelemetry's exporters read these variables; undefined
 * when neither is set: then no span is made at all.
 */
export function resolveTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env[OTLP_TRACES_ENDPOINT_ENV]?.trim();
  if (traces) return traces;
  const base = env[OTLP_ENDPOINT_ENV]?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}
