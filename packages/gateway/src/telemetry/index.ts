/** Optional telemetry: loads @shellgate/telemetry when enabled and installed, and feeds it. */
export { TELEMETRY_ENABLED_ENV, TELEMETRY_PACKAGE, loadTelemetry } from './load-telemetry.js';
export type { GatewayTelemetry, LoadTelemetryOptions, SandboxCount } from './load-telemetry.js';
export { toRpcTelemetry } from './rpc-telemetry.js';
export { reportSandboxMetrics } from './sandbox-metrics.js';
