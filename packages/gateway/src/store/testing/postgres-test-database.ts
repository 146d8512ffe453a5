import { randomBytes } from 'node:crypto';
import pg from 'pg';

import { redactDatabaseUrl } from '../postgres-connection.js';

/** Where tests find the server `scripts/engines/postgres.sh start` runs (`postgres.sh env` prints it). */
export const TEST_POSTGRES_URL_ENV = 'SHELLGATE_TEST_POSTGRES_URL';

/** The CA that signed the test server's certificate (127.0.0.1 and localhost). */
export const TEST_POSTGRES_CA_FILE_ENV = 'SHELLGATE_TEST_POSTGRES_CA_FILE';

/** The test server's CA file; throws (never skips) when postgres.sh env was not evaluated. */
export function testPostgresCaFile(env: NodeJS.ProcessEnv = process.env): string {
  const file = env[TEST_POSTGRES_CA_FILE_ENV];
  if (file === undefined || file === '') {
    throw new Error(`${TEST_POSTGRES_CA_FILE_ENV} is not set: run scripts/engines/postgres.sh start, then eval "$(scripts/engines/postgres.sh env)"`);
  }
  return file;
}

/** A database of its own for one test store; drop it when done. */
export interface PostgresTestDatabase {
  /** The server URL with this database in its path. */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * Creates a fresh database on the test server, so suites sharing it never see each other's
 * rows. Fails (never skips) without SHELLGATE_TEST_POSTGRES_URL: a skipped suite would hide
 * that the Postgres store went untested.
 */
export async function createPostgresTestDatabase(env: NodeJS.ProcessEnv = process.env): Promise<PostgresTestDatabase> {
  const serverUrl = env[TEST_POSTGRES_URL_ENV];
  if (serverUrl === undefined || serverUrl === '') {
    throw new Error(`${TEST_POSTGRES_URL_ENV} is not set: run scripts/engines/postgres.sh start, then eval "$(scripts/engines/postgres.sh env)"`);
  }
  const name = `sg_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(`cannot create test database on ${redactDatabaseUrl(serverUrl)}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop(): Promise<void> {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
