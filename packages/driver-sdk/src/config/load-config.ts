import type { ConfigKeySpecs, ConfigSchema, ConfigValues } from './define-config.js';
import type { ReadConfigFileFn } from './read-config-file.js';
import { readConfigFile } from './read-config-file.js';
import type { ConfigFlagValue } from './resolve-config.js';
import { resolveConfig } from './resolve-config.js';

/** Sources for {@link loadConfig}; env and flags come from the caller, never from `process`. */
export interface LoadConfigOptions {
  /** Path of the TOML file given with `--config`, if any. */
  readonly configFile?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly flags?: readonly ConfigFlagValue[];
  /** Base of relative paths from env and flags (and of a relative `configFile`); default `process.cwd()`. */
  readonly cwd?: string;
  /** Reads the config file; default `fs.readFileSync` as UTF-8. */
  readonly readFile?: ReadConfigFileFn;
}

/** Reads the `--config` file, if any, then {@link resolveConfig}. A missing file is a `ConfigError`. */
export async function loadConfig<K extends ConfigKeySpecs>(
  schema: ConfigSchema<K>,
  options: LoadConfigOptions = {},
): Promise<ConfigValues<K>> {
  const file =
    options.configFile === undefined
      ? undefined
      : readConfigFile(options.configFile, { origin: 'flag --config', readFile: options.readFile });
  return resolveConfig(schema, { file, env: options.env, flags: options.flags, cwd: options.cwd });
}
