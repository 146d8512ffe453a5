/** Upstream's runtime switch: telemetry emits nothing unless this is `1`, `true` or `yes`. */
export const TELEMETRY_ENABLED_ENV = 'OPENSHELL_TELEMETRY_ENABLED';
/** `HOST:PORT` the Prometheus /metrics endpoint listens on; default 127.0.0.1:9464. */
export const TELEMETRY_METRICS_LISTEN_ENV = 'OPENSHELL_TELEMETRY_METRICS_LISTEN';
