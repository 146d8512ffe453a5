/**
 * Gateway configuration: the only reader of the environment and gateway.toml.
 *
 * ```ts
 * const config = loadGatewayConfig({ argv: process.argv.slice(2), env: process.env });
 * ```
 */
export { GatewayConfigError } from './config-error.js';
export { CONFIG_KEYS, EXTERNAL_DRIVER_NAME } from './config-keys.js';
export type { ConfigKeySpec, ConfigValueKind, GatewayConfigKey } from './config-keys.js';
export { gatewayHelpText } from './gateway-help-text.js';
export { loadGatewayConfig } from './gateway-config.js';
export type { GatewayConfig, LoadGatewayConfigOptions } from './gateway-config.js';
export type { DriverConfigEntry } from './parse-driver-entries.js';
export type { DatabaseConfig } from './parse-config-value.js';
export { assertDatabaseSupported } from './assert-database-supported.js';
export { isHelpRequested } from './parse-gateway-args.js';
export type { EnvMap } from './default-paths.js';
export type { ReadFileFn } from './read-config-file.js';
