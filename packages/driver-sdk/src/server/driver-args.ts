import type { ConfigSchema } from '../config/define-config.js';
import type { ConfigFlagValue } from '../config/resolve-config.js';
import type { LogLevel } from '../logging/create-logger.js';
import { LOG_LEVELS, isLogLevel } from '../logging/create-logger.js';
import { DriverUsageError } from './errors.js';

/** Env fallback for `--bind-socket`, shared with upstream OpenShell drivers. */
export const DRIVER_SOCKET_ENV = 'OPENSHELL_COMPUTE_DRIVER_SOCKET';
/** Env fallback for `--log-level`. */
export const DRIVER_LOG_LEVEL_ENV = 'OPENSHELL_LOG_LEVEL';
/** The level a driver logs at when neither `--log-level` nor the env var says otherwise. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** What a driver binary was asked to do. */
export type DriverArgs =
  | { readonly action: 'help' }
  | { readonly action: 'version' }
  | {
      readonly action: 'serve';
      /** Undefined when neither `--bind-socket` nor the env var was given. */
      readonly socketPath: string | undefined;
      readonly configFile: string | undefined;
      readonly logLevel: LogLevel;
      /** Flags for config keys, still as text; `resolveConfig` types them. */
      readonly configFlags: readonly ConfigFlagValue[];
    };

type Env = Readonly<Record<string, string | undefined>>;

const COMMON_VALUE_FLAGS = ['--bind-socket', '--config', '--log-level'] as const;
type CommonValueFlag = (typeof COMMON_VALUE_FLAGS)[number];

interface FlagToken {
  readonly flag: string;
  readonly inlineValue: string | undefined;
}

/**
 * Parses a driver's command line: the common flags (`--bind-socket`, `--config`,
 * `--log-level`, `--help`, `--version`), their env fallbacks, and the flags the config
 * schema declares. Flags accept `--flag VALUE` and `--flag=VALUE`. Throws
 * {@link DriverUsageError} naming the flag or env var at fault. Pure.
 */
export function parseDriverArgs(argv: readonly string[], env: Env, schema?: ConfigSchema): DriverArgs {
  // --help wins over everything else, so a confused operator always gets the usage.
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return { action: 'help' };
  if (argv.includes('--version')) return { action: 'version' };
  const configFlagKeys = new Map<string, { key: string; isBoolean: boolean }>();
  for (const [key, spec] of Object.entries(schema?.keys ?? {})) {
    if (spec.flag !== undefined) configFlagKeys.set(spec.flag, { key, isBoolean: spec.type === 'boolean' });
  }
  const common = new Map<CommonValueFlag, string>();
  const configFlags: ConfigFlagValue[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = splitFlag(argv[index]!);
    const configFlag = configFlagKeys.get(token.flag);
    if (isCommonValueFlag(token.flag)) {
      if (common.has(token.flag)) throw new DriverUsageError(`flag ${token.flag}`, 'given more than once');
      const value = token.inlineValue ?? takeValue(argv, ++index, token.flag);
      if (value === '') throw new DriverUsageError(`flag ${token.flag}`, 'needs a value');
      common.set(token.flag, value);
    } else if (configFlag?.isBoolean === true) {
      configFlags.push({ key: configFlag.key, flag: token.flag, value: token.inlineValue ?? 'true' });
    } else if (configFlag !== undefined) {
      configFlags.push({ key: configFlag.key, flag: token.flag, value: token.inlineValue ?? takeValue(argv, ++index, token.flag) });
    } else if (token.flag.startsWith('-')) {
      throw new DriverUsageError(`flag ${token.flag}`, 'unknown flag');
    } else {
      throw new DriverUsageError(`argument ${JSON.stringify(token.flag)}`, 'drivers take no positional arguments');
    }
  }
  return {
    action: 'serve',
    socketPath: common.get('--bind-socket') ?? nonEmpty(env[DRIVER_SOCKET_ENV]),
    configFile: common.get('--config'),
    logLevel: parseLogLevel(common.get('--log-level'), nonEmpty(env[DRIVER_LOG_LEVEL_ENV])),
    configFlags,
  };
}

function splitFlag(arg: string): FlagToken {
  const equals = arg.indexOf('=');
  if (!arg.startsWith('--') || equals === -1) return { flag: arg, inlineValue: undefined };
  return { flag: arg.slice(0, equals), inlineValue: arg.slice(equals + 1) };
}

function isCommonValueFlag(flag: string): flag is CommonValueFlag {
  return (COMMON_VALUE_FLAGS as readonly string[]).includes(flag);
}

// A following `--x` is taken as a forgotten value, not as the value itself.
function takeValue(argv: readonly string[], index: number, flag: string): string {
  const value = argv[index];
  if (value === undefined || value.startsWith('--')) throw new DriverUsageError(`flag ${flag}`, 'needs a value');
  return value;
}

// Empty env vars count as unset, as in config resolution.
function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function parseLogLevel(flagValue: string | undefined, envValue: string | undefined): LogLevel {
  const [origin, value] =
    flagValue !== undefined ? ['flag --log-level', flagValue] : envValue !== undefined ? [`env ${DRIVER_LOG_LEVEL_ENV}`, envValue] : [];
  if (origin === undefined || value === undefined) return DEFAULT_LOG_LEVEL;
  const level = value.toLowerCase();
  if (!isLogLevel(level)) {
    throw new DriverUsageError(origin, `expected one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return level;
}
