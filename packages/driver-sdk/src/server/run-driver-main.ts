import type { ConfigKeySpecs, ConfigSchema, ConfigValues } from '../config/define-config.js';
import { loadConfig } from '../config/load-config.js';
import { ErrorCode, isShellgateError } from '../errors.js';
import type { ShellgateError } from '../errors.js';
import { createLogger } from '../logging/create-logger.js';
import type { Logger } from '../logging/logger.js';
import type { DriverArgs } from './driver-args.js';
import { parseDriverArgs } from './driver-args.js';
import type { ComputeDriverImpl } from './driver-impl.js';
import { formatDriverHelp, formatNoSocketMessage } from './format-driver-help.js';
import { watchParentThroughStdin } from './parent-watch.js';
import type { RunningDriverServer } from './serve-driver.js';
import { serveDriver } from './serve-driver.js';

/** What a driver binary tells {@link runDriverMain} about itself. */
export interface RunDriverMainOptions<K extends ConfigKeySpecs> {
  /** Binary name, e.g. `shellgate-driver-docker`; also the `name` field of every log line. */
  readonly name: string;
  readonly version: string;
  /** One line for `--help`. */
  readonly description: string;
  /** The driver's settings; `--help` lists them and unknown keys are errors. */
  readonly config?: ConfigSchema<K>;
  /**
   * Builds the driver from its resolved settings. Throwing a `ConfigError` or another
   * INVALID_ARGUMENT `ShellgateError` (a setting the schema cannot check, a bad script)
   * is a usage error: the message and hint go to stderr and the binary exits 2. Any other
   * failure is logged and exits 1.
   */
  createDriver(config: ConfigValues<K>, logger: Logger): ComputeDriverImpl | Promise<ComputeDriverImpl>;
  /** Default `process.argv.slice(2)`. */
  readonly argv?: readonly string[];
  /** Default `process.env`; the only place a driver binary reads its environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** How long SIGTERM lets in-flight calls finish; default 10000. */
  readonly drainTimeoutMs?: number;
}

/** Exit codes of a driver binary: 2 for bad usage or settings, 1 for a failed start or a forced stop. */
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/**
 * The whole `main` of a driver binary: parses flags and env, prints `--help`/`--version`,
 * loads config, builds the root logger (JSON on stderr), creates the driver, serves it on the
 * hardened socket and drains on SIGTERM/SIGINT (a second signal exits 1 at once). Resolves
 * once serving, or after printing help or a usage error with `process.exitCode` set.
 */
export async function runDriverMain<K extends ConfigKeySpecs = Record<never, never>>(
  options: RunDriverMainOptions<K>,
): Promise<void> {
  const env = options.env ?? process.env;
  const schema = options.config ?? ({ keys: {} } as ConfigSchema<K>);
  let args: DriverArgs;
  try {
    args = parseDriverArgs(options.argv ?? process.argv.slice(2), env, schema);
  } catch (error) {
    return failUsage(options.name, error);
  }
  if (args.action === 'help') return void process.stdout.write(formatDriverHelp(options, schema));
  if (args.action === 'version') return void process.stdout.write(`${options.name} ${options.version}\n`);
  if (args.socketPath === undefined) {
    process.stderr.write(formatNoSocketMessage(options));
    process.exitCode = EXIT_USAGE;
    return;
  }
  let config: ConfigValues<K>;
  try {
    config = await loadConfig(schema, { configFile: args.configFile, env, flags: args.configFlags });
  } catch (error) {
    return failUsage(options.name, error);
  }
  const logger = createLogger({ level: args.logLevel, name: options.name });
  exitOnUncaughtErrors(logger);
  const server = await startServing(options, config, args.socketPath, logger);
  logger.info('serving', { socketPath: server.socketPath, version: options.version });
  const stop = drainOnSignals(server, logger);
  watchParentThroughStdin(env, () => stop('parent gateway gone (stdin closed)'));
}

function failUsage(name: string, error: unknown): void {
  if (!isShellgateError(error)) throw error;
  writeUsageError(name, error);
  process.exitCode = EXIT_USAGE;
}

function writeUsageError(name: string, error: ShellgateError): void {
  process.stderr.write(`${name}: ${error.message}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`);
}

async function startServing<K extends ConfigKeySpecs>(
  options: RunDriverMainOptions<K>,
  config: ConfigValues<K>,
  socketPath: string,
  logger: Logger,
): Promise<RunningDriverServer> {
  const impl = await createDriverOrExit(options, config, logger);
  try {
    return await serveDriver(impl, { socketPath, logger, driverName: options.name, drainTimeoutMs: options.drainTimeoutMs });
  } catch (error) {
    logger.error('driver failed to start', { error: describeError(error) });
    await Promise.resolve(impl.close?.()).catch(() => undefined);
    return process.exit(EXIT_FAILURE);
  }
}

/**
 * Settings the schema cannot check (a fake driver's script, a path that must exist) are
 * validated by `createDriver`; an INVALID_ARGUMENT from it is the operator's input at
 * fault, so it is reported like a bad flag (exit 2), not as a crash. `process.exit`, not
 * `exitCode`: a half-built driver may hold handles that would keep the process alive.
 */
async function createDriverOrExit<K extends ConfigKeySpecs>(
  options: RunDriverMainOptions<K>,
  config: ConfigValues<K>,
  logger: Logger,
): Promise<ComputeDriverImpl> {
  try {
    return await options.createDriver(config, logger);
  } catch (error) {
    if (isShellgateError(error) && error.code === ErrorCode.InvalidArgument) {
      writeUsageError(options.name, error);
      return process.exit(EXIT_USAGE);
    }
    logger.error('driver failed to start', { error: describeError(error) });
    return process.exit(EXIT_FAILURE);
  }
}

/** Drains on SIGTERM/SIGINT; returns the same stop for other reasons (parent gone). */
function drainOnSignals(server: RunningDriverServer, logger: Logger): (reason: string) => void {
  let isStopping = false;
  const onSignal = (signal: string): void => {
    if (isStopping) {
      logger.warn('second signal; exiting without waiting for the drain', { signal });
      process.exit(EXIT_FAILURE);
    }
    isStopping = true;
    logger.info('shutting down', { signal });
    server.close().then(
      () => process.exit(EXIT_OK),
      (error: unknown) => {
        logger.error('shutdown failed', { error: describeError(error) });
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return (reason) => {
    if (!isStopping) onSignal(reason);
  };
}

// Keep even a crash on the JSON-lines contract, so the gateway logs it at error level with
// the driver's name instead of guessing from a bare stack trace.
function exitOnUncaughtErrors(logger: Logger): void {
  const onError = (error: unknown): void => {
    logger.error('uncaught error; exiting', { error: describeError(error) });
    process.exit(EXIT_FAILURE);
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
}

function describeError(error: unknown): Record<string, unknown> {
  if (isShellgateError(error)) {
    return { code: error.code, message: error.message, hint: error.hint, details: error.details, stack: error.stack };
  }
  return error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
}
