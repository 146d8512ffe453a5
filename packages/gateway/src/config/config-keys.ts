import { LOG_FORMATS, defineConfig } from '@shellgate/driver-sdk';
import type { ConfigValues } from '@shellgate/driver-sdk';
import { POSTGRES_SSL_MODES, POSTGRES_SYNCHRONOUS_COMMITS } from '../store/index.js';
import { DRIVER_NAME_RULE, isDriverName } from './driver-name.js';

/**
 * The one table of gateway settings, resolved by the SDK's config engine. Parsing (file,
 * env, flags), validation and `--help` are all generated from it, so documentation cannot
 * drift from behaviour.
 */

/** Flags and env vars that are not settings of {@link gatewayConfigSchema}. */
export const CONFIG_FILE_FLAG = '--config';
export const CONFIG_FILE_ENV = 'SHELLGATE_CONFIG';
export const DRIVER_SOCKET_FLAG = '--compute-driver-socket';
export const DRIVER_SOCKET_ENV = 'OPENSHELL_COMPUTE_DRIVER_SOCKET';
/** Driver name given to `--compute-driver-socket PATH` without `NAME=`. */
export const EXTERNAL_DRIVER_NAME = 'external';
export const DEFAULT_DATABASE_FILE = 'gateway.sqlite';

/** The `[drivers.NAME]` tables: claimed by the gateway, which parses them itself. */
export const DRIVERS_TABLE = 'drivers';
/** Keys of a driver table that the gateway reads; every other key belongs to the driver. */
export const DRIVER_COMMAND_KEY = 'command';
export const DRIVER_SOCKET_KEY = 'socket';

// Timers are handed to setTimeout, which caps at 2^31-1 ms.
const MAX_COUNT = 2 ** 31 - 1;

/** Every setting is a flag (the key, kebab-case) and `SHELLGATE_KEY`, then any older env names. */
function sources(key: string, ...olderEnv: string[]): { readonly env: readonly string[]; readonly flag: string } {
  return { env: [`SHELLGATE_${key.toUpperCase()}`, ...olderEnv], flag: `--${key.replaceAll('_', '-')}` };
}

function positive(key: string, fallback: number, valueName: 'MS' | 'N' | 'BYTES', description: string) {
  return { type: 'integer', min: 1, max: MAX_COUNT, default: fallback, valueName, description, ...sources(key) } as const;
}

/** The gateway's settings; `shellgate-gateway --help` lists them, docs/gateway.md documents each. */
export const gatewayConfigSchema = defineConfig({
  reservedFlags: [CONFIG_FILE_FLAG, DRIVER_SOCKET_FLAG, '--help', '--version'],
  keys: {
    listen: { type: 'address', default: '127.0.0.1:17670', description: 'Address of the public OpenShell gRPC API.', ...sources('listen') },
    state_dir: {
      type: 'path',
      valueName: 'DIR',
      defaultText: '$XDG_STATE_HOME/shellgate, else ~/.local/state/shellgate; /var/lib/shellgate when run as root',
      description: 'Directory for the database, signing keys and other gateway state.',
      ...sources('state_dir'),
    },
    database: {
      type: 'string',
      valueName: 'PATH|URL',
      defaultText: `STATE_DIR/${DEFAULT_DATABASE_FILE}`,
      description:
        'SQLite file (relative paths resolve against state_dir), or postgres://USER@HOST:PORT/DATABASE[?sslmode=MODE] for replicas sharing Postgres (docs/gateway.md).',
      check: (value: string) => (value.trim() === '' ? 'expected a SQLite path or a postgres:// URL, got ""' : undefined),
      ...sources('database'),
    },
    database_password_file: {
      type: 'path',
      valueName: 'FILE',
      defaultText: "env SHELLGATE_DATABASE_PASSWORD, else the URL's password",
      description: 'File whose first line is the Postgres password (keep it 0600); never put it on the command line.',
      ...sources('database_password_file'),
    },
    database_ssl_mode: {
      type: 'string',
      choices: POSTGRES_SSL_MODES,
      defaultText: "the URL's sslmode, else disable for a loopback host or socket, verify-full otherwise",
      description: 'TLS to Postgres: disable, require (encrypt only), verify-ca, verify-full (CA and host name).',
      ...sources('database_ssl_mode'),
    },
    database_ssl_ca_file: { type: 'path', valueName: 'FILE', description: 'PEM CA bundle that signed the Postgres server certificate.', ...sources('database_ssl_ca_file') },
    database_ssl_cert_file: { type: 'path', valueName: 'FILE', description: 'PEM client certificate for Postgres (with database_ssl_key_file).', ...sources('database_ssl_cert_file') },
    database_ssl_key_file: { type: 'path', valueName: 'FILE', description: 'PEM private key for database_ssl_cert_file.', ...sources('database_ssl_key_file') },
    database_pool_size: positive('database_pool_size', 10, 'N', 'Postgres connections each gateway keeps at most (plus one that listens for changes).'),
    database_synchronous_commit: {
      type: 'string',
      choices: POSTGRES_SYNCHRONOUS_COMMITS,
      defaultText: "the server's setting",
      description: 'Postgres synchronous_commit for the gateway\'s connections; off: about 2× faster writes, a database server crash may lose the last ~0.6 s of commits.',
      ...sources('database_synchronous_commit'),
    },
    database_connect_timeout_ms: positive('database_connect_timeout_ms', 5_000, 'MS', 'How long opening a Postgres connection may take before calls fail UNAVAILABLE.'),
    log_level: {
      type: 'log-level',
      default: 'info',
      description: 'error, warn, info or debug; also handed to every spawned driver.',
      ...sources('log_level', 'OPENSHELL_LOG_LEVEL'),
    },
    log_format: {
      type: 'string',
      choices: LOG_FORMATS,
      default: 'auto',
      description: 'Log lines as text (time, level, component, message, key=value) or JSON; auto: text when stderr is a terminal, else JSON.',
      ...sources('log_format'),
    },
    default_driver: {
      type: 'string',
      valueName: 'NAME',
      defaultText: 'the only driver, else the first [drivers.*] table, else the first --compute-driver-socket',
      description: 'Driver used when a create names none in spec.template.driver_config.',
      check: (value: string) => (isDriverName(value) ? undefined : `invalid driver name ${JSON.stringify(value)}: a driver name is ${DRIVER_NAME_RULE}`),
      ...sources('default_driver'),
    },
    allow_unauthenticated: {
      type: 'boolean',
      default: false,
      description: 'Allow binding a non-loopback address without TLS client auth or a token file.',
      ...sources('allow_unauthenticated'),
    },
    auth_token_file: { type: 'path', valueName: 'FILE', description: 'File holding the bearer token clients must present (keep it 0600).', ...sources('auth_token_file') },
    tls_cert_file: {
      type: 'path',
      valueName: 'FILE',
      defaultText: 'none (plaintext)',
      description: 'PEM certificate chain served on the public API.',
      ...sources('tls_cert_file'),
    },
    tls_key_file: { type: 'path', valueName: 'FILE', description: 'PEM private key for tls_cert_file.', ...sources('tls_key_file') },
    tls_client_ca_file: {
      type: 'path',
      valueName: 'FILE',
      description: 'PEM CA bundle; when set, clients must present a certificate it signed.',
      ...sources('tls_client_ca_file'),
    },
    driver_ready_timeout_ms: positive('driver_ready_timeout_ms', 10_000, 'MS', 'How long a spawned driver may take to answer GetCapabilities (upstream: 100 x 100 ms).'),
    driver_connect_timeout_ms: positive('driver_connect_timeout_ms', 30_000, 'MS', 'How long to keep dialing a third-party driver socket at startup (upstream: 250 ms x 30 s).'),
    shutdown_grace_ms: positive('shutdown_grace_ms', 5_000, 'MS', 'Wait between SIGTERM and SIGKILL when stopping a spawned driver (upstream: 5 s).'),
    reconcile_interval_ms: positive('reconcile_interval_ms', 60_000, 'MS', 'Period of the ListSandboxes sweep (upstream: 60 s).'),
    orphan_grace_ms: positive('orphan_grace_ms', 300_000, 'MS', 'How long a record missing from its backend survives before it is pruned (upstream: 300 s).'),
    shutdown_stop_concurrency: positive(
      'shutdown_stop_concurrency',
      16,
      'N',
      'Sandboxes stopped in parallel at shutdown when a driver says gateway_manages_lifecycle (upstream: 16).',
    ),
    supervisor_heartbeat_ms: positive(
      'supervisor_heartbeat_ms',
      15_000,
      'MS',
      'Heartbeat interval told to sandbox supervisors; a session silent for 3 intervals is ended.',
    ),
    sandbox_log_buffer_lines: positive(
      'sandbox_log_buffer_lines',
      10_000,
      'N',
      'Log lines kept in memory per sandbox for GetSandboxLogs and WatchSandbox; the oldest are dropped.',
    ),
    sandbox_log_buffer_bytes: positive(
      'sandbox_log_buffer_bytes',
      2 * 1024 * 1024,
      'BYTES',
      'Log bytes kept in memory per sandbox (each line is capped at 32 KiB); the oldest lines are dropped.',
    ),
    replica_listen: {
      type: 'address',
      default: '127.0.0.1:17671',
      description: 'With a postgres:// database: address of the replica-to-replica relay (exec, logs); other replicas must reach it.',
      ...sources('replica_listen'),
    },
    replica_advertise: {
      type: 'string',
      valueName: 'HOST:PORT',
      defaultText: 'replica_listen with its bound port (refused for a wildcard host)',
      description: 'Relay address other replicas dial, recorded in the replica registry (e.g. the pod IP and port).',
      ...sources('replica_advertise'),
    },
    replica_secret_file: {
      type: 'path',
      valueName: 'FILE',
      description: 'Shared secret replicas present to each other on the relay (same file on every replica, 0600); required with postgres://.',
      ...sources('replica_secret_file'),
    },
    lease_duration_ms: positive('lease_duration_ms', 15_000, 'MS', 'Leader lease: a leader that cannot renew stops leader work within this time, and another replica takes over.'),
    lease_renew_interval_ms: positive('lease_renew_interval_ms', 3_000, 'MS', 'How often the leader renews its lease and the others try to take it (at least every second); at most half of lease_duration_ms.'),
    [DRIVERS_TABLE]: {
      type: 'table',
      description: 'One [drivers.NAME] table per driver (see "Drivers" below); file only.',
    },
  },
});

/** A top-level key of gateway.toml. */
export type GatewayConfigKey = keyof (typeof gatewayConfigSchema)['keys'];
/** The settings as the engine resolves them, before the gateway fills in run-time defaults. */
export type GatewaySettings = ConfigValues<(typeof gatewayConfigSchema)['keys']>;
