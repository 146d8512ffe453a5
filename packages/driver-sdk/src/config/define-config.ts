import type { LogLevel } from '../logging/create-logger.js';
import { ConfigSchemaError } from './errors.js';
import { checkConfigValue } from './parse-config-value.js';

/** A raw TOML table, passed through as is. */
export type ConfigTable = Readonly<Record<string, unknown>>;

/**
 * The value of a `table-array` key, in the form the file wrote it: `[[key]]` entries give
 * an array; named `[key.NAME]` tables give a table of tables, keyed by NAME.
 */
export type ConfigTableList = readonly ConfigTable[] | Readonly<Record<string, ConfigTable>>;

/** The TS type each config value type resolves to. */
export interface ConfigValueTypes {
  string: string;
  integer: number;
  number: number;
  boolean: boolean;
  'string-array': readonly string[];
  /**
   * An absolute path: a relative one from the config file resolves against the file's
   * directory, from env or a flag against the working directory.
   */
  path: string;
  /** `HOST:PORT`, e.g. `127.0.0.1:17670` or `[::1]:17670`; port 0-65535. */
  address: string;
  /** One of `LOG_LEVELS`, any case in the source, lower case once resolved. */
  'log-level': LogLevel;
  /**
   * A raw TOML table passed through as is, for structured settings. Also how a caller claims
   * a top-level table it parses itself (the gateway's `[drivers.NAME]` tables): unknown keys
   * are still refused everywhere else.
   */
  table: ConfigTable;
  /** A list of TOML tables: `[[key]]` entries or named `[key.NAME]` tables (see {@link ConfigTableList}). */
  'table-array': ConfigTableList;
}
/** The value types a setting may have. */
export type ConfigValueType = keyof ConfigValueTypes;

interface ConfigKeySpecOf<T extends ConfigValueType> {
  readonly type: T;
  /** One line for `--help`. */
  readonly description: string;
  readonly default?: ConfigValueTypes[T];
  /** How `--help` describes a default worked out at run time (a path under `$HOME`, say). */
  readonly defaultText?: string;
  /** When true, resolving fails unless some source sets the key. */
  readonly required?: boolean;
  /**
   * Env var(s) that set the key, highest precedence first: with `['A', 'B']`, B is read only
   * when A is unset or empty. Not allowed for tables and table arrays.
   */
  readonly env?: string | readonly string[];
  /** Flag that sets the key, e.g. `--docker-host` (not allowed for tables and table arrays). */
  readonly flag?: string;
  /** Placeholder for the flag's value in `--help`, e.g. `MS`; default by type (`VALUE`, `PATH`…). */
  readonly valueName?: string;
  /** Allowed values, for strings. */
  readonly choices?: T extends 'string' ? readonly string[] : never;
  /** Inclusive bounds, for integers and numbers. */
  readonly min?: T extends 'integer' | 'number' ? number : never;
  readonly max?: T extends 'integer' | 'number' ? number : never;
  /** A rule the type cannot express; returns the problem with a valid value, else undefined. */
  readonly check?: (value: ConfigValueTypes[T]) => string | undefined;
}

/** How one setting is typed, documented and sourced. */
export type ConfigKeySpec = { [T in ConfigValueType]: ConfigKeySpecOf<T> }[ConfigValueType];
/** Every setting of a binary, by snake_case key. */
export type ConfigKeySpecs = Readonly<Record<string, ConfigKeySpec>>;

/** The resolved value of one key: `undefined` is possible unless it has a default or is required. */
export type ConfigValue<S extends ConfigKeySpec> = S extends { readonly required: true }
  ? ConfigValueTypes[S['type']]
  : S extends { readonly default: infer D }
    ? undefined extends D
      ? ConfigValueTypes[S['type']] | undefined
      : ConfigValueTypes[S['type']]
    : ConfigValueTypes[S['type']] | undefined;

/** The frozen object `resolveConfig` returns for a schema. */
export type ConfigValues<K extends ConfigKeySpecs> = { readonly [P in keyof K]: ConfigValue<K[P]> };

/** A binary's settings, declared once so `--help` can list them and unknown keys are errors. */
export interface ConfigSchema<K extends ConfigKeySpecs = ConfigKeySpecs> {
  readonly keys: K;
}

/** Flags `runDriverMain` owns; a driver's config key may not claim them. */
export const RESERVED_FLAGS: readonly string[] = ['--bind-socket', '--config', '--log-level', '--help', '--version'];

const KEY_PATTERN = /^[a-z][a-z0-9_]*$/;
const FLAG_PATTERN = /^--[a-z][a-z0-9-]*$/;
const ENV_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Declares a binary's settings. Keys are snake_case TOML keys; each names its type, a
 * one-line description, and optionally a default, env vars and a flag. `reservedFlags` are
 * flags the binary parses itself (default {@link RESERVED_FLAGS}, a driver's). Throws
 * {@link ConfigSchemaError} on a malformed schema, so mistakes surface at startup.
 */
export function defineConfig<const K extends ConfigKeySpecs>(definition: {
  keys: K;
  reservedFlags?: readonly string[];
}): ConfigSchema<K> {
  const flags = new Set<string>(definition.reservedFlags ?? RESERVED_FLAGS);
  const envs = new Set<string>();
  for (const [key, spec] of Object.entries(definition.keys)) {
    validateKeySpec(key, spec, flags, envs);
  }
  return Object.freeze({ keys: definition.keys });
}

/** The env vars of a key, highest precedence first. */
export function envNamesOf(spec: ConfigKeySpec): readonly string[] {
  if (spec.env === undefined) return [];
  return typeof spec.env === 'string' ? [spec.env] : spec.env;
}

function validateKeySpec(key: string, spec: ConfigKeySpec, flags: Set<string>, envs: Set<string>): void {
  if (!KEY_PATTERN.test(key)) throw new ConfigSchemaError(`key ${JSON.stringify(key)} must be snake_case`);
  if ((spec.type === 'table' || spec.type === 'table-array') && (spec.env !== undefined || spec.flag !== undefined)) {
    throw new ConfigSchemaError(`key ${key} is a ${spec.type}; tables can only be set in the config file`);
  }
  if (spec.flag !== undefined) {
    if (!FLAG_PATTERN.test(spec.flag)) throw new ConfigSchemaError(`key ${key}: flag ${spec.flag} must look like --kebab-case`);
    if (flags.has(spec.flag)) throw new ConfigSchemaError(`key ${key}: flag ${spec.flag} is already taken`);
    flags.add(spec.flag);
  }
  for (const env of envNamesOf(spec)) {
    if (!ENV_PATTERN.test(env)) throw new ConfigSchemaError(`key ${key}: env ${env} must be UPPER_SNAKE_CASE`);
    if (envs.has(env)) throw new ConfigSchemaError(`key ${key}: env ${env} is already taken`);
    envs.add(env);
  }
  if (spec.default !== undefined) {
    const checked = checkConfigValue(spec, spec.default);
    if ('problem' in checked) throw new ConfigSchemaError(`key ${key}: default ${checked.problem}`);
  }
}
