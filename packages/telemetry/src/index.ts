/**
 * Optional gateway telemetry: install @shellgate/telemetry next to @shellgate/gateway and set
 * OPENSHELL_TELEMETRY_ENABLED=true; the gateway then serves Prometheus metrics on
 * OPENSHELL_TELEMETRY_METRICS_LISTEN (default 127.0.0.1:9464, path /metrics).
 */
export { TELEMETRY_ENABLED_ENV, TELEMETRY_METRICS_LISTEN_ENV } from './env.js';
export { isTelemetryEnabled, startGatewayTelemetry } from './gateway-telemetry.js';
export type { GatewayTelemetry, GatewayTelemetryOptions, SandboxCount } from './gateway-telemetry.js';
