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
export { RESERVED_FLAGS, defineConfig, envNamesOf } from './define-config.js';
export { describeFileOrigin } from './describe-file-origin.js';
export type { ConfigProblem } from './errors.js';
export { ConfigError, ConfigSchemaError } from './errors.js';
export { formatConfigHelp } from './format-config-help.js';
export type { LoadConfigOptions } from './load-config.js';
export { loadConfig } from './load-config.js';
export type { ConfigArgs, ExtraValueFlags } from './parse-config-args.js';
export { parseConfigArgs } from './parse-config-args.js';
export type { ConfigFile, ReadConfigFileFn, ReadConfigFileOptions } from './read-config-file.js';
export { readConfigFile } from './read-config-file.js';
export type { ConfigFlagValue, ConfigSources, ResolvedConfig } from './resolve-config.js';
export { DEFAULT_ORIGIN, resolveConfig, resolveConfigWithOrigins } from './resolve-config.js';
