import { resolve } from 'node:path';
import type { PostgresSslMode, PostgresSynchronousCommit } from '../store/index.js';
import type { GatewayConfigKey, GatewaySettings } from './config-keys.js';
import { configError } from './parse-driver-entries.js';

/** A Postgres database shared by gateway replicas; secrets arrive by file or env only. */
export interface PostgresDatabaseConfig {
  readonly kind: 'postgres';
  /** As given; print it only through the store's redaction. */
  readonly url: string;
  /** Holds the password (first line); wins over SHELLGATE_DATABASE_PASSWORD and the URL. */
  readonly passwordFile: string | undefined;
  /** From env SHELLGATE_DATABASE_PASSWORD. */
  readonly password: string | undefined;
  /** Undefined: the URL's sslmode, else disable for loopback, verify-full for anything else. */
  readonly sslMode: PostgresSslMode | undefined;
  readonly sslCaFile: string | undefined;
  readonly sslCertFile: string | undefined;
  readonly sslKeyFile: string | undefined;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  /** Undefined: the server's setting. */
  readonly synchronousCommit: PostgresSynchronousCommit | undefined;
}

/** Where the gateway keeps its records. */
export type DatabaseConfig = { readonly kind: 'sqlite'; readonly path: string } | PostgresDatabaseConfig;

/** Env var with the Postgres password; read by loadGatewayConfig only (never a flag: argv is public). */
export const DATABASE_PASSWORD_ENV = 'SHELLGATE_DATABASE_PASSWORD';

/** Settings that only mean something for Postgres. */
const POSTGRES_KEYS = [
  'database_password_file',
  'database_ssl_mode',
  'database_ssl_ca_file',
  'database_ssl_cert_file',
  'database_ssl_key_file',
  'database_synchronous_commit',
] as const satisfies readonly GatewayConfigKey[];

function isPostgresUrl(raw: string): boolean {
  return /^postgres(ql)?:\/\//i.test(raw);
}

/**
 * `database` and its companion keys after defaults: a postgres:// URL with its TLS, password
 * and pool settings, anything else a SQLite path under `stateDir`. Postgres-only keys given
 * with a SQLite database, and a client certificate without its key, are config errors.
 */
export function toDatabaseConfig(
  values: GatewaySettings,
  origins: Readonly<Record<GatewayConfigKey, string>>,
  env: Readonly<Record<string, string | undefined>>,
  stateDir: string,
  defaultFile: string,
): DatabaseConfig {
  const raw = values.database;
  if (raw === undefined || !isPostgresUrl(raw)) {
    const given = POSTGRES_KEYS.find((key) => values[key] !== undefined);
    if (given !== undefined) {
      throw configError(origins[given], `${given} is set, but database is a SQLite file`, 'set database to a postgres:// URL, or remove the Postgres settings');
    }
    const path = (raw ?? defaultFile).replace(/^sqlite:(\/\/)?/i, '');
    return { kind: 'sqlite', path: resolve(stateDir, path) };
  }
  if ((values.database_ssl_cert_file === undefined) !== (values.database_ssl_key_file === undefined)) {
    const given = values.database_ssl_cert_file === undefined ? 'database_ssl_key_file' : 'database_ssl_cert_file';
    throw configError(origins[given], `${given} is set without its partner`, 'set both database_ssl_cert_file and database_ssl_key_file, or neither');
  }
  const password = env[DATABASE_PASSWORD_ENV];
  return {
    kind: 'postgres',
    url: raw,
    passwordFile: values.database_password_file,
    password: password === '' ? undefined : password,
    sslMode: values.database_ssl_mode as PostgresSslMode | undefined,
    sslCaFile: values.database_ssl_ca_file,
    sslCertFile: values.database_ssl_cert_file,
    sslKeyFile: values.database_ssl_key_file,
    poolSize: values.database_pool_size,
    connectTimeoutMs: values.database_connect_timeout_ms,
    synchronousCommit: values.database_synchronous_commit as PostgresSynchronousCommit | undefined,
  };
}
