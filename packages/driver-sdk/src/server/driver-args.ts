import type { ConfigSchema } from '../config/define-config.js';
import { ConfigError } from '../config/errors.js';
import type { ExtraValueFlags } from '../config/parse-config-args.js';
import { parseConfigArgs } from '../config/parse-config-args.js';
import { parseConfigText } from '../config/parse-config-value.js';
import type { ConfigFlagValue } from '../config/resolve-config.js';
import type { LogLevel } from '../logging/create-logger.js';

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

const BIND_SOCKET_FLAG = '--bind-socket';
const CONFIG_FLAG = '--config';
const LOG_LEVEL_FLAG = '--log-level';
const COMMON_VALUE_FLAGS: ExtraValueFlags = { [BIND_SOCKET_FLAG]: {}, [CONFIG_FLAG]: {}, [LOG_LEVEL_FLAG]: {} };
const LOG_LEVEL_SPEC = { type: 'log-level', description: 'log level' } as const;

/**
 * Parses a driver's command line: the common flags (`--bind-socket`, `--config`,
 * `--log-level`, `--help`, `--version`), their env fallbacks, and the flags the config
 * schema declares. Flags accept `--flag VALUE` and `--flag=VALUE`. Throws a `ConfigError`
 * naming the flag or env var at fault. Pure.
 */
export function parseDriverArgs(argv: readonly string[], env: Env, schema: ConfigSchema = { keys: {} }): DriverArgs {
  // --help wins over everything else, so a confused operator always gets the usage.
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return { action: 'help' };
  if (argv.includes('--version')) return { action: 'version' };
  const { flags, values } = parseConfigArgs(argv, schema, COMMON_VALUE_FLAGS);
  const common = (flag: string): string | undefined => values.get(flag)?.[0];
  return {
    action: 'serve',
    socketPath: common(BIND_SOCKET_FLAG) ?? nonEmpty(env[DRIVER_SOCKET_ENV]),
    configFile: common(CONFIG_FLAG),
    logLevel: parseLogLevel(common(LOG_LEVEL_FLAG), nonEmpty(env[DRIVER_LOG_LEVEL_ENV])),
    configFlags: flags,
  };
}

// Empty env vars count as unset, as in config resolution.
function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function parseLogLevel(flagValue: string | undefined, envValue: string | undefined): LogLevel {
  const [origin, value] =
    flagValue !== undefined ? [`flag ${LOG_LEVEL_FLAG}`, flagValue] : envValue !== undefined ? [`env ${DRIVER_LOG_LEVEL_ENV}`, envValue] : [];
  if (origin === undefined || value === undefined) return DEFAULT_LOG_LEVEL;
  const checked = parseConfigText(LOG_LEVEL_SPEC, value);
  if ('problem' in checked) throw new ConfigError([{ origin, message: checked.problem }]);
  return checked.value as LogLevel;
}
