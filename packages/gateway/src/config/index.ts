/**
 * Gateway configuration: the only reader of the environment and gateway.toml, built on the
 * SDK's config engine.
 *
 * ```ts
 * const config = loadGatewayConfig({ argv: process.argv.slice(2), env: process.env });
 * ```
 */
export { EXTERNAL_DRIVER_NAME, gatewayConfigSchema } from './config-keys.js';
export type { GatewayConfigKey } from './config-keys.js';
export { gatewayHelpText, isHelpRequested } from './gateway-help-text.js';
export { loadGatewayConfig } from './gateway-config.js';
export type { GatewayConfig, LoadGatewayConfigOptions, ReplicationConfig } from './gateway-config.js';
export type { DriverConfigEntry } from './parse-driver-entries.js';
export type { DatabaseConfig, PostgresDatabaseConfig } from './database-config.js';
export { DATABASE_PASSWORD_ENV } from './database-config.js';
export type { EnvMap } from './default-paths.js';
