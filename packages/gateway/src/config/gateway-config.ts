import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { LogLevel } from '@shellgate/driver-sdk';
import { GatewayConfigError } from './config-error.js';
import {
  CONFIG_FILE_ENV,
  CONFIG_FILE_FLAG,
  CONFIG_KEYS,
  DEFAULT_DATABASE_FILE,
  DEFAULT_LISTEN,
  DEFAULT_NUMBERS,
  DRIVERS_TABLE,
  DRIVER_SOCKET_ENV,
  DRIVER_SOCKET_FLAG,
} from './config-keys.js';
import type { ConfigKeySpec, GatewayConfigKey } from './config-keys.js';
import { defaultConfigFilePath, defaultStateDir } from './default-paths.js';
import type { EnvMap } from './default-paths.js';
import { parseDriverSocketValue, parseDriverTables } from './parse-driver-entries.js';
import type { DriverConfigEntry } from './parse-driver-entries.js';
import { parseConfigValue, toDatabaseConfig } from './parse-config-value.js';
import type { ConfigValue, DatabaseConfig } from './parse-config-value.js';
import { parseGatewayArgs } from './parse-gateway-args.js';
import { describeKeyOrigin, readConfigFile } from './read-config-file.js';
import type { ConfigFile, ReadFileFn } from './read-config-file.js';
import { suggestKey } from './suggest-key.js';

/** The gateway's settings after defaults < gateway.toml < env < flags; frozen. */
export interface GatewayConfig {
  /** The gateway.toml that was read, if any. */
  readonly configFile: string | undefined;
  readonly listen: string;
  readonly stateDir: string;
  readonly database: DatabaseConfig;
  readonly logLevel: LogLevel;
  readonly defaultDriver: string | undefined;
  readonly allowUnauthenticated: boolean;
  readonly authTokenFile: string | undefined;
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  readonly tlsClientCaFile: string | undefined;
  readonly driverReadyTimeoutMs: number;
  readonly driverConnectTimeoutMs: number;
  readonly shutdownGraceMs: number;
  readonly reconcileIntervalMs: number;
  readonly orphanGraceMs: number;
  readonly shutdownStopConcurrency: number;
  /** Heartbeat interval of supervisor sessions; silence for 3 intervals ends a session. */
  readonly supervisorHeartbeatMs: number;
  /** Log lines held per sandbox. */
  readonly sandboxLogBufferLines: number;
  /** Log bytes held per sandbox. */
  readonly sandboxLogBufferBytes: number;
  /** Configured drivers in declaration order: file tables, then env, then flags. */
  readonly drivers: readonly DriverConfigEntry[];
  /** Where each setting came from: `default`, `FILE:LINE:key`, an env var or a flag. */
  readonly origins: Readonly<Record<GatewayConfigKey, string>>;
}

export interface LoadGatewayConfigOptions {
  /** Arguments after the script name. */
  readonly argv: readonly string[];
  /** The process environment; the only place the gateway reads it. */
  readonly env: EnvMap;
  /** Default: `fs.readFileSync(path, 'utf8')`. */
  readonly readFile?: ReadFileFn;
  /** Overrides `$XDG_CONFIG_HOME` for the default config path. */
  readonly xdgConfigHome?: string;
  /** Default `os.homedir()`. */
  readonly homeDir?: string;
  /** Effective uid (0 = root). Default `process.getuid()`. */
  readonly uid?: number;
  /** Base for relative paths given by env or flags. Default `process.cwd()`. */
  readonly cwd?: string;
}

interface Layered {
  readonly value: ConfigValue;
  readonly origin: string;
}

const readUtf8: ReadFileFn = (path) => readFileSync(path, 'utf8');

/**
 * Resolves the gateway configuration. Throws {@link GatewayConfigError} naming the origin
 * (file:line:key, env var or flag) and the fix for any unknown key or bad value.
 */
export function loadGatewayConfig(options: LoadGatewayConfigOptions): GatewayConfig {
  const { env } = options;
  const cwd = options.cwd ?? process.cwd();
  const homeDir = options.homeDir ?? homedir();
  const args = parseGatewayArgs(options.argv);
  const file = loadFile(args.configFile, options, cwd, homeDir);
  const fileDir = file === undefined ? cwd : dirname(file.path);
  const layers = new Map<GatewayConfigKey, Layered>();
  if (file !== undefined) readFileLayer(file, fileDir, layers);
  for (const spec of CONFIG_KEYS) {
    const name = spec.env.find((candidate) => env[candidate] !== undefined && env[candidate] !== '');
    if (name !== undefined) set(layers, spec, env[name], `env ${name}`, cwd);
  }
  for (const [key, value] of args.values) {
    const spec = specOf(key);
    set(layers, spec, value, `flag ${spec.flag}`, cwd);
  }
  const drivers = collectDrivers(file, fileDir, env, args.driverSockets, cwd);
  return build(layers, drivers, file, { env, homeDir, uid: options.uid ?? process.getuid?.(), xdgConfigHome: options.xdgConfigHome });
}

function loadFile(flagPath: string | undefined, options: LoadGatewayConfigOptions, cwd: string, homeDir: string): ConfigFile | undefined {
  const readFile = options.readFile ?? readUtf8;
  const envPath = options.env[CONFIG_FILE_ENV];
  if (flagPath !== undefined) return readConfigFile(resolve(cwd, flagPath), readFile, true, `flag ${CONFIG_FILE_FLAG}`);
  if (envPath !== undefined && envPath !== '') return readConfigFile(resolve(cwd, envPath), readFile, true, `env ${CONFIG_FILE_ENV}`);
  const defaultPath = defaultConfigFilePath({ env: options.env, homeDir, uid: undefined, xdgConfigHome: options.xdgConfigHome });
  return readConfigFile(defaultPath, readFile, false, 'default config file');
}

function readFileLayer(file: ConfigFile, fileDir: string, layers: Map<GatewayConfigKey, Layered>): void {
  for (const [key, raw] of Object.entries(file.table)) {
    if (key === DRIVERS_TABLE) continue;
    const spec = CONFIG_KEYS.find((candidate) => candidate.key === key);
    const origin = describeKeyOrigin(file, [], key);
    if (spec === undefined) {
      const suggestion = suggestKey(key, [...CONFIG_KEYS.map((known) => known.key), DRIVERS_TABLE]);
      throw new GatewayConfigError(
        origin,
        `unknown key ${JSON.stringify(key)}`,
        `${suggestion === undefined ? '' : `did you mean ${JSON.stringify(suggestion)}? `}gateway settings are top-level keys and drivers are [drivers.NAME] tables; run shellgate-gateway --help for the list`,
      );
    }
    set(layers, spec, raw, origin, fileDir);
  }
}

function set(layers: Map<GatewayConfigKey, Layered>, spec: ConfigKeySpec, raw: unknown, origin: string, baseDir: string): void {
  layers.set(spec.key, { value: parseConfigValue(spec, raw, origin, baseDir), origin });
}

function specOf(key: GatewayConfigKey): ConfigKeySpec {
  const spec = CONFIG_KEYS.find((candidate) => candidate.key === key);
  if (spec === undefined) throw new Error(`no config key ${key}`);
  return spec;
}

/** File tables first; the env socket and flag sockets replace a same-named earlier entry. */
function collectDrivers(
  file: ConfigFile | undefined,
  fileDir: string,
  env: EnvMap,
  flagSockets: readonly string[],
  cwd: string,
): DriverConfigEntry[] {
  const byName = new Map<string, DriverConfigEntry>();
  for (const entry of file === undefined ? [] : parseDriverTables(file, fileDir)) byName.set(entry.name, entry);
  const envSocket = env[DRIVER_SOCKET_ENV];
  if (envSocket !== undefined && envSocket !== '') {
    const entry = parseDriverSocketValue(envSocket, `env ${DRIVER_SOCKET_ENV}`, cwd);
    byName.delete(entry.name);
    byName.set(entry.name, entry);
  }
  const fromFlags = new Set<string>();
  for (const value of flagSockets) {
    const entry = parseDriverSocketValue(value, `flag ${DRIVER_SOCKET_FLAG} ${value}`, cwd);
    if (fromFlags.has(entry.name)) {
      throw new GatewayConfigError(entry.origin, `driver name ${JSON.stringify(entry.name)} is given twice`, 'give each socket its own NAME=, e.g. lxd=/run/lxd.sock');
    }
    fromFlags.add(entry.name);
    byName.delete(entry.name);
    byName.set(entry.name, entry);
  }
  return [...byName.values()];
}

function build(
  layers: ReadonlyMap<GatewayConfigKey, Layered>,
  drivers: readonly DriverConfigEntry[],
  file: ConfigFile | undefined,
  paths: Parameters<typeof defaultStateDir>[0],
): GatewayConfig {
  const origins = Object.fromEntries(CONFIG_KEYS.map((spec) => [spec.key, layers.get(spec.key)?.origin ?? 'default'])) as Record<
    GatewayConfigKey,
    string
  >;
  const get = <T extends ConfigValue>(key: GatewayConfigKey): T | undefined => layers.get(key)?.value as T | undefined;
  const number = (key: keyof typeof DEFAULT_NUMBERS): number => get<number>(key) ?? DEFAULT_NUMBERS[key];
  const stateDir = get<string>('state_dir') ?? defaultStateDir(paths);
  const config: GatewayConfig = {
    configFile: file?.path,
    listen: get<string>('listen') ?? DEFAULT_LISTEN,
    stateDir,
    database: Object.freeze(toDatabaseConfig(get<string>('database'), stateDir, DEFAULT_DATABASE_FILE)),
    logLevel: get<LogLevel>('log_level') ?? 'info',
    defaultDriver: get<string>('default_driver'),
    allowUnauthenticated: get<boolean>('allow_unauthenticated') ?? false,
    authTokenFile: get<string>('auth_token_file'),
    tlsCertFile: get<string>('tls_cert_file'),
    tlsKeyFile: get<string>('tls_key_file'),
    tlsClientCaFile: get<string>('tls_client_ca_file'),
    driverReadyTimeoutMs: number('driver_ready_timeout_ms'),
    driverConnectTimeoutMs: number('driver_connect_timeout_ms'),
    shutdownGraceMs: number('shutdown_grace_ms'),
    reconcileIntervalMs: number('reconcile_interval_ms'),
    orphanGraceMs: number('orphan_grace_ms'),
    shutdownStopConcurrency: number('shutdown_stop_concurrency'),
    supervisorHeartbeatMs: number('supervisor_heartbeat_ms'),
    sandboxLogBufferLines: number('sandbox_log_buffer_lines'),
    sandboxLogBufferBytes: number('sandbox_log_buffer_bytes'),
    drivers: Object.freeze([...drivers]),
    origins: Object.freeze(origins),
  };
  checkTls(config);
  return Object.freeze(config);
}

function checkTls(config: GatewayConfig): void {
  const { origins } = config;
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    const given = config.tlsCertFile === undefined ? 'tls_key_file' : 'tls_cert_file';
    throw new GatewayConfigError(origins[given], `${given} is set without its partner`, 'set both tls_cert_file and tls_key_file, or neither');
  }
  if (config.tlsClientCaFile !== undefined && config.tlsCertFile === undefined) {
    throw new GatewayConfigError(
      origins.tls_client_ca_file,
      'client-certificate auth needs TLS',
      'set tls_cert_file and tls_key_file as well, or remove tls_client_ca_file',
    );
  }
}
