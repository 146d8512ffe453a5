/**
 * Optional gateway telemetry: install @shellgate/telemetry next to @shellgate/gateway and set
 * OPENSHELL_TELEMETRY_ENABLED=true; the gateway then serves Prometheus metrics on
 * OPENSHELL_TELEMETRY_METRICS_LISTEN (default 127.0.0.1:9464, path /metrics) and, when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, exports OTLP/HTTP traces of API calls and the driver
 * calls they make.
 */
export { OTLP_ENDPOINT_ENV, OTLP_TRACES_ENDPOINT_ENV, TELEMETRY_ENABLED_ENV, TELEMETRY_METRICS_LISTEN_ENV, resolveTracesUrl } from './env.js';
export { isTelemetryEnabled, startGatewayTelemetry } from './gateway-telemetry.js';
export type { GatewayTelemetry, GatewayTelemetryOptions } from './gateway-telemetry.js';
export type { GatewayMetrics, SandboxCount } from './gateway-metrics.js';
export type { DriverCallTracer, TracedDriverCall } from './gateway-tracing.js';
