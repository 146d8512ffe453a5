import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseConfigArgs, readConfigFile, resolveConfigWithOrigins } from '@shellgate/driver-sdk';
import type { ConfigFile, LogFormat, LogLevel, ReadConfigFileFn } from '@shellgate/driver-sdk';
import {
  CONFIG_FILE_ENV,
  CONFIG_FILE_FLAG,
  DEFAULT_DATABASE_FILE,
  DRIVER_SOCKET_ENV,
  DRIVER_SOCKET_FLAG,
  gatewayConfigSchema,
} from './config-keys.js';
import type { GatewayConfigKey, GatewaySettings } from './config-keys.js';
import { toDatabaseConfig } from './database-config.js';
import type { DatabaseConfig } from './database-config.js';
import { defaultConfigFilePath, defaultStateDir } from './default-paths.js';
import type { EnvMap, PathContext } from './default-paths.js';
import { configError, parseDriverSocketValue, parseDriverTables } from './parse-driver-entries.js';
import type { DriverConfigEntry } from './parse-driver-entries.js';

/** The gateway's settings after defaults < gateway.toml < env < flags; frozen. */
export interface GatewayConfig {
  /** The gateway.toml that was read, if any. */
  readonly configFile: string | undefined;
  readonly listen: string;
  readonly stateDir: string;
  readonly database: DatabaseConfig;
  readonly logLevel: LogLevel;
  /** `auto` writes text when stderr is a terminal, else JSON lines. */
  readonly logFormat: LogFormat;
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
  /** Replica settings; used only with a postgres:// database (see docs/replicas.md). */
  readonly replication: ReplicationConfig;
  /** Configured drivers in declaration order: file tables, then env, then flags. */
  readonly drivers: readonly DriverConfigEntry[];
  /** Where each setting came from: `default`, `FILE:LINE:key`, an env var or a flag. */
  readonly origins: Readonly<Record<GatewayConfigKey, string>>;
}

/** How replicas sharing one Postgres database elect a leader and reach each other. */
export interface ReplicationConfig {
  /** Address the replica relay binds. */
  readonly listen: string;
  /** Relay address other replicas dial; undefined: derived from the bound listener. */
  readonly advertise: string | undefined;
  readonly secretFile: string | undefined;
  readonly leaseDurationMs: number;
  readonly leaseRenewIntervalMs: number;
}

export interface LoadGatewayConfigOptions {
  /** Arguments after the script name. */
  readonly argv: readonly string[];
  /** The process environment; the only place the gateway reads it. */
  readonly env: EnvMap;
  /** Default: `fs.readFileSync(path, 'utf8')`. */
  readonly readFile?: ReadConfigFileFn;
  /** Overrides `$XDG_CONFIG_HOME` for the default config path. */
  readonly xdgConfigHome?: string;
  /** Default `os.homedir()`. */
  readonly homeDir?: string;
  /** Effective uid (0 = root). Default `process.getuid()`. */
  readonly uid?: number;
  /** Base for relative paths given by env or flags. Default `process.cwd()`. */
  readonly cwd?: string;
}

/** Value flags of the gateway that are not settings. */
const GATEWAY_FLAGS = { [CONFIG_FILE_FLAG]: {}, [DRIVER_SOCKET_FLAG]: { isRepeatable: true } };

/**
 * Resolves the gateway configuration with the SDK's config engine, then the parts only the
 * gateway knows: driver tables, run-time defaults and cross-key rules. Throws a `ConfigError`
 * naming the origin (file:line:key, env var or flag) and the fix.
 */
export function loadGatewayConfig(options: LoadGatewayConfigOptions): GatewayConfig {
  const { env } = options;
  const cwd = options.cwd ?? process.cwd();
  const paths: PathContext = { env, homeDir: options.homeDir ?? homedir(), uid: options.uid ?? process.getuid?.(), xdgConfigHome: options.xdgConfigHome };
  const args = parseConfigArgs(options.argv, gatewayConfigSchema, GATEWAY_FLAGS);
  const file = readGatewayFile(args.values.get(CONFIG_FILE_FLAG)?.[0], options, cwd, paths);
  const { values, origins } = resolveConfigWithOrigins(gatewayConfigSchema, { file, env, flags: args.flags, cwd });
  const drivers = collectDrivers(file, values, env, args.values.get(DRIVER_SOCKET_FLAG) ?? [], cwd);
  return build(values, origins, drivers, file, paths, env);
}

function readGatewayFile(flagPath: string | undefined, options: LoadGatewayConfigOptions, cwd: string, paths: PathContext): ConfigFile | undefined {
  const { readFile } = options;
  const envPath = options.env[CONFIG_FILE_ENV];
  if (flagPath !== undefined) return readConfigFile(resolve(cwd, flagPath), { readFile, origin: `flag ${CONFIG_FILE_FLAG}` });
  if (envPath !== undefined && envPath !== '') return readConfigFile(resolve(cwd, envPath), { readFile, origin: `env ${CONFIG_FILE_ENV}` });
  return readConfigFile(defaultConfigFilePath({ ...paths, uid: undefined }), { readFile, isOptional: true });
}

/** File tables first; the env socket and flag sockets replace a same-named earlier entry. */
function collectDrivers(
  file: ConfigFile | undefined,
  values: GatewaySettings,
  env: EnvMap,
  flagSockets: readonly string[],
  cwd: string,
): DriverConfigEntry[] {
  const byName = new Map<string, DriverConfigEntry>();
  if (file !== undefined && values.drivers !== undefined) {
    for (const entry of parseDriverTables(file, values.drivers, dirname(resolve(cwd, file.path)))) byName.set(entry.name, entry);
  }
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
      throw configError(entry.origin, `driver name ${JSON.stringify(entry.name)} is given twice`, 'give each socket its own NAME=, e.g. lxd=/run/lxd.sock');
    }
    fromFlags.add(entry.name);
    byName.delete(entry.name);
    byName.set(entry.name, entry);
  }
  return [...byName.values()];
}

function build(
  values: GatewaySettings,
  origins: Readonly<Record<GatewayConfigKey, string>>,
  drivers: readonly DriverConfigEntry[],
  file: ConfigFile | undefined,
  paths: PathContext,
  env: EnvMap,
): GatewayConfig {
  const stateDir = values.state_dir ?? defaultStateDir(paths);
  const config: GatewayConfig = {
    configFile: file?.path,
    listen: values.listen,
    stateDir,
    database: Object.freeze(toDatabaseConfig(values, origins, env, stateDir, DEFAULT_DATABASE_FILE)),
    logLevel: values.log_level,
    logFormat: values.log_format as LogFormat,
    defaultDriver: values.default_driver,
    allowUnauthenticated: values.allow_unauthenticated,
    authTokenFile: values.auth_token_file,
    tlsCertFile: values.tls_cert_file,
    tlsKeyFile: values.tls_key_file,
    tlsClientCaFile: values.tls_client_ca_file,
    driverReadyTimeoutMs: values.driver_ready_timeout_ms,
    driverConnectTimeoutMs: values.driver_connect_timeout_ms,
    shutdownGraceMs: values.shutdown_grace_ms,
    reconcileIntervalMs: values.reconcile_interval_ms,
    orphanGraceMs: values.orphan_grace_ms,
    shutdownStopConcurrency: values.shutdown_stop_concurrency,
    supervisorHeartbeatMs: values.supervisor_heartbeat_ms,
    sandboxLogBufferLines: values.sandbox_log_buffer_lines,
    sandboxLogBufferBytes: values.sandbox_log_buffer_bytes,
    replication: Object.freeze({
      listen: values.replica_listen,
      advertise: values.replica_advertise,
      secretFile: values.replica_secret_file,
      leaseDurationMs: values.lease_duration_ms,
      leaseRenewIntervalMs: values.lease_renew_interval_ms,
    }),
    drivers: Object.freeze([...drivers]),
    origins,
  };
  checkTls(config);
  checkLease(config);
  return Object.freeze(config);
}

/** Renewing at most every half lease leaves the leader a retry before its lease runs out. */
function checkLease(config: GatewayConfig): void {
  const { leaseDurationMs, leaseRenewIntervalMs } = config.replication;
  if (leaseRenewIntervalMs * 2 > leaseDurationMs) {
    throw configError(
      config.origins.lease_renew_interval_ms,
      `lease_renew_interval_ms (${leaseRenewIntervalMs}) must be at most half of lease_duration_ms (${leaseDurationMs})`,
      'renew at least twice per lease, e.g. lease_duration_ms = 15000 with lease_renew_interval_ms = 3000',
    );
  }
}

function checkTls(config: GatewayConfig): void {
  const { origins } = config;
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    const given = config.tlsCertFile === undefined ? 'tls_key_file' : 'tls_cert_file';
    throw configError(origins[given], `${given} is set without its partner`, 'set both tls_cert_file and tls_key_file, or neither');
  }
  if (config.tlsClientCaFile !== undefined && config.tlsCertFile === undefined) {
    throw configError(
      origins.tls_client_ca_file,
      'client-certificate auth needs TLS',
      'set tls_cert_file and tls_key_file as well, or remove tls_client_ca_file',
    );
  }
}
