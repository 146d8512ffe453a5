import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import type { DatabaseConfig } from './parse-config-value.js';

/**
 * Fails startup for a database the gateway can parse but not yet open (Postgres).
 * `origin` is `config.origins.database`.
 */
export function assertDatabaseSupported(database: DatabaseConfig, origin: string): void {
  if (database.kind === 'sqlite') return;
  throw new ShellgateError(ErrorCode.FailedPrecondition, `${origin}: Postgres databases are not supported yet`, {
    hint: 'use a SQLite file path for database (the default is a file under state_dir)',
    details: { origin },
  });
}
