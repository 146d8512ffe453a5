export type {
  ConfigKeySpec,
  ConfigKeySpecs,
  ConfigSchema,
  ConfigTable,
  ConfigTableList,
  ConfigValue,
  ConfigValueType,
  ConfigValueTypes,
  ConfigValues,
} from './define-config.js';
export { RESERVED_FLAGS, defineConfig } from './define-config.js';
export type { ConfigProblem } from './errors.js';
export { ConfigError, ConfigSchemaError } from './errors.js';
export { formatConfigHelp } from './format-config-help.js';
export type { LoadConfigOptions } from './load-config.js';
export { loadConfig } from './load-config.js';
export type { ConfigFlagValue, ConfigSources } from './resolve-config.js';
export { resolveConfig } from './resolve-config.js';
