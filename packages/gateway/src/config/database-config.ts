import { resolve } from 'node:path';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';

/** Where the gateway keeps its records. */
export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** `database` after defaults: postgres URLs as given, anything else a SQLite path under `stateDir`. */
export function toDatabaseConfig(raw: string | undefined, stateDir: string, defaultFile: string): DatabaseConfig {
  if (raw === undefined) return { kind: 'sqlite', path: resolve(stateDir, defaultFile) };
  if (/^postgres(ql)?:\/\//i.test(raw)) return { kind: 'postgres', url: raw };
  const path = raw.replace(/^sqlite:(\/\/)?/i, '');
  return { kind: 'sqlite', path: resolve(stateDir, path) };
}

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
