/**
 * @shellgate/gateway — the Shellgate gateway as a library: what `shellgate-gateway` runs.
 * Most operators only run the binary; embedding it looks like:
 *
 * ```ts
 * import { GatewayApp, loadGatewayConfig } from '@shellgate/gateway';
 * import { createLogger } from '@shellgate/driver-sdk';
 * const config = loadGatewayConfig({ argv: ['--config', 'gateway.toml'], env: process.env });
 * const gateway = await GatewayApp.start(config, createLogger({ level: config.logLevel, name: 'gateway', format: config.logFormat }));
 * await gateway.close();
 * ```
 */
export { GATEWAY_VERSION, GatewayApp, REQUIRES_SUPERVISOR_KEY } from './app/index.js';
export { gatewayConfigSchema, gatewayHelpText, loadGatewayConfig } from './config/index.js';
export type { DriverConfigEntry, GatewayConfig, GatewayConfigKey, LoadGatewayConfigOptions } from './config/index.js';
export { BUILTIN_DRIVERS } from './drivers/index.js';
export type { BuiltinDriver } from './drivers/index.js';
