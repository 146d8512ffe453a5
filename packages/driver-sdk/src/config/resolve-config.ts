import { dirname, resolve } from 'node:path';
import { TomlError, parse as parseToml } from 'smol-toml';

import type { ConfigKeySpec, ConfigKeySpecs, ConfigSchema, ConfigValues } from './define-config.js';
import { envNamesOf } from './define-config.js';
import { describeFileOrigin } from './describe-file-origin.js';
import type { ConfigProblem } from './errors.js';
import { ConfigError } from './errors.js';
import type { CheckedValue } from './parse-config-value.js';
import { checkConfigValue, parseConfigText } from './parse-config-value.js';
import type { ConfigFile } from './read-config-file.js';
import { suggestName } from './suggest-name.js';

/** One config-key flag as it appeared on the command line; a bare boolean flag has value "true". */
export interface ConfigFlagValue {
  readonly key: string;
  readonly flag: string;
  readonly value: string;
}

/** Where settings come from, lowest precedence first. */
export interface ConfigSources {
  /** The TOML config file's path (for origins, and the base of its relative paths) and text. */
  readonly file?: ConfigFile;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly flags?: readonly ConfigFlagValue[];
  /** Base of relative paths given by env or flags; default `process.cwd()`. */
  readonly cwd?: string;
}

/** Resolved settings, each with where it came from. */
export interface ResolvedConfig<K extends ConfigKeySpecs> {
  readonly values: ConfigValues<K>;
  /** Per key: `default`, `FILE:LINE:key` (`FILE:key` if the line is not found), `env NAME` or `flag --name`. */
  readonly origins: Readonly<Record<keyof K & string, string>>;
}

/** The origin of a key no source set. */
export const DEFAULT_ORIGIN = 'default';

/**
 * Resolves a schema against its sources: defaults < TOML file < env < flags. Unknown file
 * keys, type errors and missing required keys are all collected into one {@link ConfigError},
 * each naming its origin. Returns a deeply frozen object. Reads nothing itself.
 */
export function resolveConfig<K extends ConfigKeySpecs>(schema: ConfigSchema<K>, sources: ConfigSources): ConfigValues<K> {
  return resolveConfigWithOrigins(schema, sources).values;
}

/** {@link resolveConfig}, also telling where each value came from (for error messages that follow). */
export function resolveConfigWithOrigins<K extends ConfigKeySpecs>(schema: ConfigSchema<K>, sources: ConfigSources): ResolvedConfig<K> {
  const layers = new Layers();
  const keys = Object.entries(schema.keys as ConfigKeySpecs);
  for (const [key, spec] of keys) layers.set(key, { value: spec.default }, DEFAULT_ORIGIN);
  const cwd = sources.cwd ?? process.cwd();
  if (sources.file !== undefined) applyFile(schema.keys, sources.file, resolve(cwd, dirname(sources.file.path)), layers);
  applyEnv(keys, sources.env ?? {}, cwd, layers);
  applyFlags(schema.keys, sources.flags ?? [], cwd, layers);
  for (const [key, spec] of keys) {
    if (spec.required === true && layers.values.get(key) === undefined) {
      layers.problems.push({ origin: key, message: `is required; ${describeSetters(key, spec)}` });
    }
  }
  if (layers.problems.length > 0) throw new ConfigError(layers.problems);
  return Object.freeze({
    values: deepFreeze(Object.fromEntries(layers.values)) as ConfigValues<K>,
    origins: Object.freeze(Object.fromEntries(layers.origins)) as Record<keyof K & string, string>,
  });
}

/** The values and origins resolved so far, and every problem met on the way. */
class Layers {
  readonly values = new Map<string, unknown>();
  readonly origins = new Map<string, string>();
  readonly problems: ConfigProblem[] = [];

  set(key: string, checked: CheckedValue, origin: string): void {
    if ('problem' in checked) {
      this.problems.push({ origin, message: checked.problem, ...(checked.hint === undefined ? {} : { hint: checked.hint }) });
      return;
    }
    this.values.set(key, checked.value);
    this.origins.set(key, origin);
  }
}

function applyFile(specs: ConfigKeySpecs, file: ConfigFile, fileDir: string, layers: Layers): void {
  let document: Record<string, unknown>;
  try {
    document = parseToml(file.text);
  } catch (error) {
    layers.problems.push(describeTomlError(file.path, error));
    return;
  }
  for (const [key, raw] of Object.entries(document)) {
    const spec = specs[key];
    const origin = describeFileOrigin(file, [key]);
    if (spec === undefined) {
      layers.problems.push({ origin, message: `unknown key ${JSON.stringify(key)}`, hint: describeKnownKeys(key, Object.keys(specs)) });
      continue;
    }
    layers.set(key, checkConfigValue(spec, raw, fileDir), origin);
  }
}

// Beyond this many keys the list would bury the suggestion; --help has them all.
const MAX_LISTED_KEYS = 12;

function describeKnownKeys(unknown: string, known: readonly string[]): string {
  if (known.length === 0) return 'this file takes no settings; remove the key';
  const suggestion = suggestName(unknown, known);
  const list =
    known.length <= MAX_LISTED_KEYS
      ? `settings are the top-level keys ${known.join(', ')}`
      : 'settings are top-level keys; run with --help to list them';
  return suggestion === undefined ? list : `did you mean ${JSON.stringify(suggestion)}? ${list}`;
}

function describeTomlError(path: string, error: unknown): ConfigProblem {
  const hint = 'fix the TOML syntax at that position (see https://toml.io)';
  if (error instanceof TomlError) {
    // smol-toml's message ends with a code excerpt; the first line is the reason.
    const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    return { origin: `${path}:${error.line}:${error.column}`, message: `invalid TOML: ${reason}`, hint };
  }
  return { origin: path, message: `invalid TOML: ${String(error)}`, hint };
}

function applyEnv(
  keys: readonly (readonly [string, ConfigKeySpec])[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  layers: Layers,
): void {
  for (const [key, spec] of keys) {
    // An empty variable counts as unset: `FOO= driver` is how shells unset things in passing.
    const name = envNamesOf(spec).find((candidate) => env[candidate] !== undefined && env[candidate] !== '');
    if (name !== undefined) layers.set(key, parseConfigText(spec, env[name] ?? '', cwd), `env ${name}`);
  }
}

function applyFlags(specs: ConfigKeySpecs, flags: readonly ConfigFlagValue[], cwd: string, layers: Layers): void {
  const lists = new Map<string, string[]>();
  for (const { key, flag, value } of flags) {
    const spec = specs[key];
    if (spec === undefined) {
      layers.problems.push({ origin: `flag ${flag}`, message: 'is not a setting' });
    } else if (spec.type === 'string-array') {
      // A repeated list flag adds one item per use; the last source still wins as a whole.
      const list = lists.get(key) ?? [];
      list.push(value);
      lists.set(key, list);
      layers.set(key, { value: list }, `flag ${flag}`);
    } else {
      layers.set(key, parseConfigText(spec, value, cwd), `flag ${flag}`);
    }
  }
}

function describeSetters(key: string, spec: ConfigKeySpec): string {
  const setters = [`set ${key} in the --config file`];
  for (const env of envNamesOf(spec)) setters.push(`env ${env}`);
  if (spec.flag !== undefined) setters.push(`flag ${spec.flag}`);
  return setters.join(', or ');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
