/**
 * The one table of gateway settings. Parsing (file, env, flags), validation and
 * `--help` are all generated from it, so documentation cannot drift from behaviour.
 */

/** How a raw value is read and validated. */
export type ConfigValueKind = 'string' | 'path' | 'address' | 'database' | 'log-level' | 'boolean' | 'positive-integer';

export interface ConfigKeySpec {
  /** Top-level key in gateway.toml. */
  readonly key: GatewayConfigKey;
  readonly kind: ConfigValueKind;
  /** Env vars, highest precedence first. */
  readonly env: readonly string[];
  /** Long flag, without value. */
  readonly flag: string;
  /** Placeholder shown in `--help`; empty for boolean switches. */
  readonly placeholder: string;
  readonly description: string;
  /** How the default is described in `--help`. */
  readonly defaultText: string;
}

export type GatewayConfigKey =
  | 'listen'
  | 'state_dir'
  | 'database'
  | 'log_level'
  | 'default_driver'
  | 'allow_unauthenticated'
  | 'auth_token_file'
  | 'tls_cert_file'
  | 'tls_key_file'
  | 'tls_client_ca_file'
  | 'driver_ready_timeout_ms'
  | 'driver_connect_timeout_ms'
  | 'shutdown_grace_ms'
  | 'reconcile_interval_ms'
  | 'orphan_grace_ms'
  | 'shutdown_stop_concurrency'
  | 'supervisor_heartbeat_ms'
  | 'sandbox_log_buffer_lines'
  | 'sandbox_log_buffer_bytes';

/** The `[drivers.NAME]` tables; not a scalar key, but documented and parsed beside them. */
export const DRIVERS_TABLE = 'drivers';
/** Keys of a driver table that the gateway reads; every other key belongs to the driver. */
export const DRIVER_COMMAND_KEY = 'command';
export const DRIVER_SOCKET_KEY = 'socket';

function key(
  name: GatewayConfigKey,
  kind: ConfigValueKind,
  placeholder: string,
  defaultText: string,
  description: string,
  extraEnv: readonly string[] = [],
): ConfigKeySpec {
  return {
    key: name,
    kind,
    env: [`SHELLGATE_${name.toUpperCase()}`, ...extraEnv],
    flag: `--${name.replaceAll('_', '-')}`,
    placeholder,
    description,
    defaultText,
  };
}

export const CONFIG_KEYS: readonly ConfigKeySpec[] = [
  key('listen', 'address', 'HOST:PORT', '127.0.0.1:17670', 'Address of the public OpenShell gRPC API.'),
  key(
    'state_dir',
    'path',
    'DIR',
    '$XDG_STATE_HOME/shellgate, else ~/.local/state/shellgate; /var/lib/shellgate when run as root',
    'Directory for the database, signing keys and other gateway state.',
  ),
  key(
    'database',
    'database',
    'PATH|URL',
    'STATE_DIR/gateway.sqlite',
    'SQLite file (relative paths resolve against state_dir). postgres:// URLs parse but are not supported yet.',
  ),
  key('log_level', 'log-level', 'LEVEL', 'info', 'error, warn, info or debug; also handed to every spawned driver.', [
    'OPENSHELL_LOG_LEVEL',
  ]),
  key(
    'default_driver',
    'string',
    'NAME',
    'the only driver, else the first [drivers.*] table, else the first --compute-driver-socket',
    'Driver used when a create names none in spec.template.driver_config.',
  ),
  key(
    'allow_unauthenticated',
    'boolean',
    '',
    'false',
    'Allow binding a non-loopback address without TLS client auth or a token file.',
  ),
  key('auth_token_file', 'path', 'FILE', 'none', 'File holding the bearer token clients must present (keep it 0600).'),
  key('tls_cert_file', 'path', 'FILE', 'none (plaintext)', 'PEM certificate chain served on the public API.'),
  key('tls_key_file', 'path', 'FILE', 'none', 'PEM private key for tls_cert_file.'),
  key('tls_client_ca_file', 'path', 'FILE', 'none', 'PEM CA bundle; when set, clients must present a certificate it signed.'),
  key(
    'driver_ready_timeout_ms',
    'positive-integer',
    'MS',
    '10000 (upstream: 100 x 100 ms)',
    'How long a spawned driver may take to answer GetCapabilities.',
  ),
  key(
    'driver_connect_timeout_ms',
    'positive-integer',
    'MS',
    '30000 (upstream: 250 ms x 30 s)',
    'How long to keep dialing a third-party driver socket at startup.',
  ),
  key(
    'shutdown_grace_ms',
    'positive-integer',
    'MS',
    '5000 (upstream: 5 s)',
    'Wait between SIGTERM and SIGKILL when stopping a spawned driver.',
  ),
  key('reconcile_interval_ms', 'positive-integer', 'MS', '60000 (upstream: 60 s)', 'Period of the ListSandboxes sweep.'),
  key(
    'orphan_grace_ms',
    'positive-integer',
    'MS',
    '300000 (upstream: 300 s)',
    'How long a record missing from its backend survives before it is pruned.',
  ),
  key(
    'shutdown_stop_concurrency',
    'positive-integer',
    'N',
    '16 (upstream: 16)',
    'Sandboxes stopped in parallel at shutdown when a driver says gateway_manages_lifecycle.',
  ),
  key(
    'supervisor_heartbeat_ms',
    'positive-integer',
    'MS',
    '15000',
    'Heartbeat interval told to sandbox supervisors; a session silent for 3 intervals is ended.',
  ),
  key(
    'sandbox_log_buffer_lines',
    'positive-integer',
    'N',
    '10000',
    'Log lines kept in memory per sandbox for GetSandboxLogs and WatchSandbox; the oldest are dropped.',
  ),
  key(
    'sandbox_log_buffer_bytes',
    'positive-integer',
    'BYTES',
    '2097152 (2 MiB)',
    'Log bytes kept in memory per sandbox (each line is capped at 32 KiB); the oldest lines are dropped.',
  ),
];

/** Flags and env vars that are not one of {@link CONFIG_KEYS}. */
export const CONFIG_FILE_FLAG = '--config';
export const CONFIG_FILE_ENV = 'SHELLGATE_CONFIG';
export const DRIVER_SOCKET_FLAG = '--compute-driver-socket';
export const DRIVER_SOCKET_ENV = 'OPENSHELL_COMPUTE_DRIVER_SOCKET';
/** Driver name given to `--compute-driver-socket PATH` without `NAME=`. */
export const EXTERNAL_DRIVER_NAME = 'external';
export const DEFAULT_LISTEN = '127.0.0.1:17670';
export const DEFAULT_DATABASE_FILE = 'gateway.sqlite';

export const DEFAULT_NUMBERS = {
  driver_ready_timeout_ms: 10_000,
  driver_connect_timeout_ms: 30_000,
  shutdown_grace_ms: 5_000,
  reconcile_interval_ms: 60_000,
  orphan_grace_ms: 300_000,
  shutdown_stop_concurrency: 16,
  supervisor_heartbeat_ms: 15_000,
  sandbox_log_buffer_lines: 10_000,
  sandbox_log_buffer_bytes: 2 * 1024 * 1024,
} as const;
