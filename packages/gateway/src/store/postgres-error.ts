import { StoreUnavailableError } from './errors.js';

/** SQLSTATEs the store acts on (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const PostgresErrorCode = {
  UniqueViolation: '23505',
  ForeignKeyViolation: '23503',
} as const;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOENT']);

/** The SQLSTATE or Node error code of a pg failure, if any. */
export function postgresErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The constraint a unique or foreign-key violation names. */
export function violatedConstraint(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/**
 * What the operator should check for a failure that means "the database cannot be used now".
 * Pinned by postgres-gateway-store.test.ts: refused connection (ECONNREFUSED), wrong password
 * (28P01), unverifiable certificate (TLS), connections cut mid-use ("Connection terminated").
 */
function unavailableHint(error: unknown): string | undefined {
  const code = postgresErrorCode(error) ?? '';
  const message = error instanceof Error ? error.message : '';
  if (code === '28P01' || code === '28000') return 'check the database user and its password (database_password_file or SHELLGATE_DATABASE_PASSWORD) and pg_hba.conf';
  if (code === '3D000') return 'create the database first (CREATE DATABASE ...) or fix the name in the URL';
  if (code === '53300') return 'the server has no free connection slots: raise max_connections or lower database_pool_size on each replica';
  if (/ssl|tls|certificate/i.test(message) || code.startsWith('ERR_TLS') || code.startsWith('DEPTH_ZERO') || code.startsWith('UNABLE_TO')) {
    return 'check database_ssl_mode and the CA/client certificate files against the server\'s TLS setup';
  }
  if (NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('57P')) return 'check that Postgres runs and is reachable at the URL\'s host and port; the gateway retries on the next request';
  // "timeout exceeded when trying to connect": no pooled connection within database_connect_timeout_ms.
  if (/connection terminated|connection timeout|timeout expired|timeout exceeded|Connection ended|not queryable/i.test(message)) {
    return 'check that Postgres runs and is reachable at the URL\'s host and port; the gateway retries on the next request';
  }
  return undefined;
}

/**
 * A pg failure that means the database cannot be used right now (down, unreachable, refusing
 * us) becomes StoreUnavailableError (UNAVAILABLE) naming the redacted URL; anything else is
 * returned as it is for the caller to map.
 */
export function toPostgresStoreError(error: unknown, redactedUrl: string, action: string): unknown {
  const hint = unavailableHint(error);
  return hint === undefined ? error : new StoreUnavailableError(redactedUrl, error, hint, action);
}
