import { promises as fsp } from 'node:fs';

import type { ConfigKeySpecs, ConfigSchema, ConfigValues } from './define-config.js';
import { ConfigError } from './errors.js';
import type { ConfigFlagValue } from './resolve-config.js';
import { resolveConfig } from './resolve-config.js';

/** Sources for {@link loadConfig}; env and flags come from the caller, never from `process`. */
export interface LoadConfigOptions {
  /** Path of the TOML file given with `--config`, if any. */
  readonly configFile?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly flags?: readonly ConfigFlagValue[];
  /** Reads the config file; default `fs.promises.readFile` as UTF-8. */
  readonly readFile?: (path: string) => Promise<string>;
}

const readUtf8 = (path: string): Promise<string> => fsp.readFile(path, 'utf8');

/** Reads the `--config` file, if any, then {@link resolveConfig}. A missing file is a {@link ConfigError}. */
export async function loadConfig<K extends ConfigKeySpecs>(
  schema: ConfigSchema<K>,
  options: LoadConfigOptions = {},
): Promise<ConfigValues<K>> {
  let file: { path: string; text: string } | undefined;
  if (options.configFile !== undefined) {
    const path = options.configFile;
    try {
      file = { path, text: await (options.readFile ?? readUtf8)(path) };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
      throw new ConfigError([{ origin: path, message: `cannot read config file: ${reason}` }]);
    }
  }
  return resolveConfig(schema, { file, env: options.env, flags: options.flags });
}
