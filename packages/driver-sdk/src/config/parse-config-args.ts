import type { ConfigSchema } from './define-config.js';
import { ConfigError } from './errors.js';
import type { ConfigFlagValue } from './resolve-config.js';
import { suggestName } from './suggest-name.js';

/** Value flags a binary parses beside its schema's, e.g. `--config`; repeatable ones may be given more than once. */
export type ExtraValueFlags = Readonly<Record<string, { readonly isRepeatable?: boolean }>>;

/** A command line split into schema-key flags and the binary's own value flags. */
export interface ConfigArgs {
  /** Flags of schema keys, still as text, in order; `resolveConfig` types them. */
  readonly flags: readonly ConfigFlagValue[];
  /** Values of each extra value flag that was given, in order. */
  readonly values: ReadonlyMap<string, readonly string[]>;
}

interface FlagToken {
  readonly flag: string;
  readonly inlineValue: string | undefined;
}

/**
 * Splits a command line into schema-key flags and `extraFlags`. Flags accept `--flag VALUE`
 * and `--flag=VALUE`; a boolean key's bare flag means true. Unknown flags and positional
 * arguments are a {@link ConfigError} naming the flag (with the closest known one). `--help`
 * and `--version` are the caller's to check first. Pure.
 */
export function parseConfigArgs(argv: readonly string[], schema: ConfigSchema, extraFlags: ExtraValueFlags = {}): ConfigArgs {
  const keyFlags = new Map<string, { key: string; isBoolean: boolean }>();
  for (const [key, spec] of Object.entries(schema.keys)) {
    if (spec.flag !== undefined) keyFlags.set(spec.flag, { key, isBoolean: spec.type === 'boolean' });
  }
  const flags: ConfigFlagValue[] = [];
  const values = new Map<string, string[]>();
  for (let index = 0; index < argv.length; index++) {
    const token = splitFlag(argv[index]!);
    const extra = extraFlags[token.flag];
    const keyFlag = keyFlags.get(token.flag);
    if (extra !== undefined) {
      const given = values.get(token.flag) ?? [];
      if (given.length > 0 && extra.isRepeatable !== true) throw usageError(`flag ${token.flag}`, 'given more than once');
      const value = token.inlineValue ?? takeValue(argv, ++index, token.flag);
      if (value === '') throw usageError(`flag ${token.flag}`, 'needs a value');
      values.set(token.flag, [...given, value]);
    } else if (keyFlag?.isBoolean === true) {
      flags.push({ key: keyFlag.key, flag: token.flag, value: token.inlineValue ?? 'true' });
    } else if (keyFlag !== undefined) {
      flags.push({ key: keyFlag.key, flag: token.flag, value: token.inlineValue ?? takeValue(argv, ++index, token.flag) });
    } else if (token.flag.startsWith('-')) {
      const suggestion = suggestName(token.flag, [...Object.keys(extraFlags), ...keyFlags.keys()]);
      throw usageError(`flag ${token.flag}`, 'unknown flag', suggestion === undefined ? undefined : `did you mean ${suggestion}?`);
    } else {
      throw usageError(`argument ${JSON.stringify(token.flag)}`, 'unexpected argument; settings are given as --flag VALUE');
    }
  }
  return { flags, values };
}

function splitFlag(arg: string): FlagToken {
  const equals = arg.indexOf('=');
  if (!arg.startsWith('--') || equals === -1) return { flag: arg, inlineValue: undefined };
  return { flag: arg.slice(0, equals), inlineValue: arg.slice(equals + 1) };
}

// A following `--x` is taken as a forgotten value, not as the value itself.
function takeValue(argv: readonly string[], index: number, flag: string): string {
  const value = argv[index];
  if (value === undefined || value.startsWith('--')) throw usageError(`flag ${flag}`, 'needs a value');
  return value;
}

function usageError(origin: string, message: string, hint?: string): ConfigError {
  return new ConfigError([{ origin, message, ...(hint === undefined ? {} : { hint }) }]);
}
