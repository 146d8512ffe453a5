import { readFileSync } from 'node:fs';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import pg from 'pg';
import type { PoolConfig } from 'pg';

/** How the connection to Postgres is encrypted and checked (libpq's sslmode names). */
export const PostgresSslMode = {
  Disable: 'disable',
  /** Encrypted, the server's certificate not checked. */
  Require: 'require',
  /** Encrypted, the certificate signed by the CA; any host name. */
  VerifyCa: 'verify-ca',
  /** Encrypted, the certificate signed by the CA and naming the host. */
  VerifyFull: 'verify-full',
} as const;
export type PostgresSslMode = (typeof PostgresSslMode)[keyof typeof PostgresSslMode];
export const POSTGRES_SSL_MODES: readonly PostgresSslMode[] = Object.values(PostgresSslMode);

/**
 * Postgres `synchronous_commit` values a gateway may ask for on its own connections. `off`
 * acknowledges a commit before its WAL reaches disk: a gateway crash loses nothing, a crash
 * of the database server can lose the last ~0.6 s of commits (never consistency), as a power
 * loss can with SQLite's default synchronous=normal. Default: the server's setting.
 */
export const POSTGRES_SYNCHRONOUS_COMMITS = ['on', 'off', 'local', 'remote_write', 'remote_apply'] as const;
export type PostgresSynchronousCommit = (typeof POSTGRES_SYNCHRONOUS_COMMITS)[number];

export const DEFAULT_POSTGRES_POOL_SIZE = 10;
export const DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS = 5_000;

/** Where and how to reach Postgres; secrets only ever arrive here, never on argv. */
export interface PostgresConnectionOptions {
  /** `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`; HOST may be a socket dir in `?host=`. */
  readonly url: string;
  /** Wins over a password in the URL (from database_password_file or SHELLGATE_DATABASE_PASSWORD). */
  readonly password?: string | undefined;
  /** Default: the URL's sslmode, else disable for loopback hosts and Unix sockets, verify-full otherwise. */
  readonly sslMode?: PostgresSslMode | undefined;
  readonly sslCaFile?: string | undefined;
  readonly sslCertFile?: string | undefined;
  readonly sslKeyFile?: string | undefined;
  /** Most connections the pool opens; default 10. The change listener takes one more. */
  readonly poolSize?: number | undefined;
  /** How long opening a connection may take before the store answers UNAVAILABLE; default 5000 ms. */
  readonly connectTimeoutMs?: number | undefined;
  /** Set on every connection the store opens; undefined keeps the server's setting. */
  readonly synchronousCommit?: PostgresSynchronousCommit | undefined;
  readonly readFile?: ((path: string) => Buffer) | undefined;
}

/** The URL with its password replaced by `***`: the only form that appears in messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

function invalidUrl(url: string, reason: string): ShellgateError {
  return new ShellgateError(ErrorCode.InvalidArgument, `invalid Postgres URL ${redactDatabaseUrl(url)}: ${reason}`, {
    hint: 'write it as postgres://USER@HOST:PORT/DATABASE and give the password with database_password_file',
  });
}

const URL_PARAMS = new Set(['sslmode', 'host', 'application_name']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isSslMode(value: string): value is PostgresSslMode {
  return (POSTGRES_SSL_MODES as readonly string[]).includes(value);
}

function toSslConfig(options: PostgresConnectionOptions, mode: PostgresSslMode, host: string): PoolConfig['ssl'] {
  if (mode === PostgresSslMode.Disable) return false;
  const read = options.readFile ?? ((path: string) => readFileSync(path));
  const files = {
    ...(options.sslCaFile !== undefined && { ca: read(options.sslCaFile) }),
    ...(options.sslCertFile !== undefined && { cert: read(options.sslCertFile) }),
    ...(options.sslKeyFile !== undefined && { key: read(options.sslKeyFile) }),
  };
  if (mode === PostgresSslMode.Require) return { ...files, rejectUnauthorized: false };
  if (mode === PostgresSslMode.VerifyCa) return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...files, rejectUnauthorized: true, servername: host };
}

/** The pg pool settings for `options`; file reads (CA, client cert) happen here, once. */
export function toPoolConfig(options: PostgresConnectionOptions): PoolConfig {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw invalidUrl(options.url, 'not a URL');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw invalidUrl(options.url, `scheme ${parsed.protocol} is not postgres:`);
  for (const key of parsed.searchParams.keys()) {
    if (!URL_PARAMS.has(key)) throw invalidUrl(options.url, `unsupported parameter ${JSON.stringify(key)} (supported: ${[...URL_PARAMS].join(', ')}); TLS files are settings of their own`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') throw invalidUrl(options.url, 'no database name in the path');
  const host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname);
  if (host === '') throw invalidUrl(options.url, 'no host');
  const urlMode = parsed.searchParams.get('sslmode');
  if (urlMode !== null && !isSslMode(urlMode)) throw invalidUrl(options.url, `sslmode ${JSON.stringify(urlMode)} is not one of ${POSTGRES_SSL_MODES.join(', ')}`);
  const isLocal = host.startsWith('/') || LOOPBACK_HOSTS.has(host);
  const sslMode = options.sslMode ?? urlMode ?? (isLocal ? PostgresSslMode.Disable : PostgresSslMode.VerifyFull);
  const urlPassword = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  return {
    host,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || undefined,
    database,
    password: options.password ?? urlPassword,
    ssl: toSslConfig(options, sslMode, host),
    max: options.poolSize ?? DEFAULT_POSTGRES_POOL_SIZE,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_POSTGRES_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: parsed.searchParams.get('application_name') ?? 'shellgate-gateway',
    // A startup parameter, from a closed list of values: nothing operator-typed reaches SQL.
    ...(options.synchronousCommit !== undefined && { options: `-c synchronous_commit=${options.synchronousCommit}` }),
    // BIGINT columns (versions, epoch-ms times) as numbers: they stay far below 2^53.
    types: { getTypeParser: parseBigintAsNumber as typeof pg.types.getTypeParser },
  };
}

const INT8_OID = 20;

function parseBigintAsNumber(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) return Number;
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}
