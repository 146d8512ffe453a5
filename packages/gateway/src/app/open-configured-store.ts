import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCode, ShellgateError, type Logger } from '@shellgate/driver-sdk';
import type { DatabaseConfig, PostgresDatabaseConfig } from '../config/index.js';
import { StorageMonitor, openPostgresStore, openSqliteStore, type GatewayStore } from '../store/index.js';

/** The store the config names, plus the disk monitor when it is a local SQLite file. */
export interface ConfiguredStore {
  readonly store: GatewayStore;
  /** Only for SQLite: a Postgres server's disk is the server's business. */
  readonly storage: StorageMonitor | undefined;
  /** True while the store cannot take writes: SQLite's disk is full, or Postgres cannot be reached. */
  readonly isDegraded: () => boolean;
}

/**
 * The first line of database_password_file. A file other users may read is refused, as
 * auth_token_file is; group-readable is allowed for secrets mounted with an fsGroup.
 */
export function readDatabasePassword(file: string, origin: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch (cause) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `${origin}: cannot read database_password_file ${file}`, { hint: 'create it with the password on its first line, mode 0600', cause });
  }
  if ((mode & 0o007) !== 0) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `${origin}: database_password_file ${file} is readable by other users (mode ${mode.toString(8)})`, {
      hint: `chmod 600 ${file}`,
    });
  }
  return readFileSync(file, 'utf8').split(/\r?\n/, 1)[0] ?? '';
}

function toPostgresOptions(database: PostgresDatabaseConfig, origin: string): Parameters<typeof openPostgresStore>[0] {
  return {
    url: database.url,
    password: database.passwordFile === undefined ? database.password : readDatabasePassword(database.passwordFile, origin),
    sslMode: database.sslMode,
    sslCaFile: database.sslCaFile,
    sslCertFile: database.sslCertFile,
    sslKeyFile: database.sslKeyFile,
    poolSize: database.poolSize,
    connectTimeoutMs: database.connectTimeoutMs,
    synchronousCommit: database.synchronousCommit,
  };
}

/**
 * Opens SQLite (with its storage monitor) or Postgres as configured. `origins` name where
 * database and database_password_file came from, for errors.
 */
export async function openConfiguredStore(database: DatabaseConfig, origins: { database: string; database_password_file: string }, logger: Logger): Promise<ConfiguredStore> {
  const storeLogger = logger.child({ component: 'store' });
  if (database.kind === 'postgres') {
    const store = await openPostgresStore({ ...toPostgresOptions(database, origins.database_password_file), logger: storeLogger });
    storeLogger.info('store opened', { database: store.target, schemaVersion: store.schemaVersion });
    return { store, storage: undefined, isDegraded: () => store.problem !== undefined };
  }
  const storage = new StorageMonitor({ path: dirname(database.path), logger: storeLogger });
  try {
    return { store: await openSqliteStore({ path: database.path, writeObserver: storage }), storage, isDegraded: () => storage.isFull };
  } catch (error) {
    storage.close();
    throw error;
  }
}
