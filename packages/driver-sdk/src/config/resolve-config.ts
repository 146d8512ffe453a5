import { TomlError, parse as parseToml } from 'smol-toml';

import type { ConfigKeySpec, ConfigKeySpecs, ConfigSchema, ConfigValues } from './define-config.js';
import type { ConfigProblem } from './errors.js';
import { ConfigError } from './errors.js';
import type { CheckedValue } from './parse-config-value.js';
import { checkConfigValue, parseConfigText } from './parse-config-value.js';

/** One config-key flag as it appeared on the command line; a bare boolean flag has value "true". */
export interface ConfigFlagValue {
  readonly key: string;
  readonly flag: string;
  readonly value: string;
}

/** Where settings come from, lowest precedence first. */
export interface ConfigSources {
  /** The TOML config file's path (for error origins) and text. */
  readonly file?: { readonly path: string; readonly text: string };
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly flags?: readonly ConfigFlagValue[];
}

/**
 * Resolves a schema against its sources: defaults < TOML file < env < flags. Unknown file
 * keys, type errors and missing required keys are all collected into one {@link ConfigError},
 * each naming its origin. Returns a deeply frozen object. Pure: reads nothing itself.
 */
export function resolveConfig<K extends ConfigKeySpecs>(schema: ConfigSchema<K>, sources: ConfigSources): ConfigValues<K> {
  const problems: ConfigProblem[] = [];
  const values = new Map<string, unknown>();
  const keys = Object.entries(schema.keys as ConfigKeySpecs);
  for (const [key, spec] of keys) values.set(key, spec.default);
  if (sources.file !== undefined) applyFile(schema.keys, sources.file, values, problems);
  applyEnv(keys, sources.env ?? {}, values, problems);
  applyFlags(schema.keys, sources.flags ?? [], values, problems);
  for (const [key, spec] of keys) {
    if (spec.required === true && values.get(key) === undefined) {
      problems.push({ origin: key, message: `is required; ${describeSetters(key, spec)}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(Object.fromEntries(values)) as ConfigValues<K>;
}

function applyFile(
  specs: ConfigKeySpecs,
  file: { readonly path: string; readonly text: string },
  values: Map<string, unknown>,
  problems: ConfigProblem[],
): void {
  let document: Record<string, unknown>;
  try {
    document = parseToml(file.text);
  } catch (error) {
    problems.push(describeTomlError(file.path, error));
    return;
  }
  for (const [key, raw] of Object.entries(document)) {
    const spec = specs[key];
    const origin = `${file.path}:${key}`;
    if (spec === undefined) {
      problems.push({ origin, message: `unknown key; known keys: ${Object.keys(specs).join(', ') || '(none)'}` });
      continue;
    }
    record(origin, key, checkConfigValue(spec, raw), values, problems);
  }
}

function describeTomlError(path: string, error: unknown): ConfigProblem {
  if (error instanceof TomlError) {
    // smol-toml's message ends with a code excerpt; the first line is the reason.
    const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    return { origin: `${path}:${error.line}:${error.column}`, message: `invalid TOML: ${reason}` };
  }
  return { origin: path, message: `invalid TOML: ${String(error)}` };
}

function applyEnv(
  keys: readonly (readonly [string, ConfigKeySpec])[],
  env: Readonly<Record<string, string | undefined>>,
  values: Map<string, unknown>,
  problems: ConfigProblem[],
): void {
  for (const [key, spec] of keys) {
    if (spec.env === undefined) continue;
    const text = env[spec.env];
    // An empty variable counts as unset: `FOO= driver` is how shells unset things in passing.
    if (text === undefined || text === '') continue;
    record(`env ${spec.env}`, key, parseConfigText(spec, text), values, problems);
  }
}

function applyFlags(
  specs: ConfigKeySpecs,
  flags: readonly ConfigFlagValue[],
  values: Map<string, unknown>,
  problems: ConfigProblem[],
): void {
  const lists = new Map<string, string[]>();
  for (const { key, flag, value } of flags) {
    const spec = specs[key];
    if (spec === undefined) {
      problems.push({ origin: `flag ${flag}`, message: 'is not a setting of this driver' });
    } else if (spec.type === 'string-array') {
      // A repeated list flag adds one item per use; the last source still wins as a whole.
      const list = lists.get(key) ?? [];
      list.push(value);
      lists.set(key, list);
      values.set(key, list);
    } else {
      record(`flag ${flag}`, key, parseConfigText(spec, value), values, problems);
    }
  }
}

function record(
  origin: string,
  key: string,
  checked: CheckedValue,
  values: Map<string, unknown>,
  problems: ConfigProblem[],
): void {
  if ('problem' in checked) problems.push({ origin, message: checked.problem });
  else values.set(key, checked.value);
}

function describeSetters(key: string, spec: ConfigKeySpec): string {
  const setters = [`set ${key} in the --config file`];
  if (spec.env !== undefined) setters.push(`env ${spec.env}`);
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
