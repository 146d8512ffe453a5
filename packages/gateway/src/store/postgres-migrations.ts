import { Workspace } from '@shellgate/api';
import type { PoolClient } from 'pg';

import { StoreSchemaTooNewError } from './errors.js';
import { DEFAULT_WORKSPACE } from './gateway-store.js';
import { buildWorkspace } from './workspace-row.js';

/** One Postgres schema step; `up` runs inside the transaction that records it. */
export interface PostgresMigration {
  readonly version: number;
  readonly description: string;
  up(client: PoolClient, nowMs: number): Promise<void>;
}

/**
 * Postgres schema history, separate from SQLite's (each dialect has its own). Append only.
 * Text keys are COLLATE "C" so lists order byte-wise, exactly as SQLite's BINARY collation
 * does, whatever the database's locale.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'sandboxes, workspaces, leases and replicas; seed the default workspace',
    async up(client: PoolClient, nowMs: number): Promise<void> {
      await client.query(`
        CREATE TABLE workspaces (
          name             TEXT COLLATE "C" PRIMARY KEY,
          resource_version BIGINT NOT NULL,
          labels_json      TEXT NOT NULL,
          object           BYTEA NOT NULL
        );
        CREATE TABLE sandboxes (
          id               TEXT COLLATE "C" PRIMARY KEY,
          workspace        TEXT COLLATE "C" NOT NULL REFERENCES workspaces (name) ON DELETE RESTRICT,
          name             TEXT COLLATE "C" NOT NULL,
          driver           TEXT COLLATE "C" NOT NULL,
          desired_state    TEXT NOT NULL CHECK (desired_state IN ('running', 'stopped')),
          missing_since_ms BIGINT,
          resource_version BIGINT NOT NULL,
          labels_json      TEXT NOT NULL,
          object           BYTEA NOT NULL,
          CONSTRAINT sandboxes_workspace_name_key UNIQUE (workspace, name)
        );
        CREATE INDEX sandboxes_by_driver ON sandboxes (driver, workspace, name);
        CREATE TABLE leases (
          name           TEXT COLLATE "C" PRIMARY KEY,
          holder         TEXT NOT NULL,
          epoch          BIGINT NOT NULL,
          expires_at_ms  BIGINT NOT NULL,
          acquired_at_ms BIGINT NOT NULL
        );
        CREATE TABLE replicas (
          id              TEXT COLLATE "C" PRIMARY KEY,
          relay_address   TEXT NOT NULL,
          started_at_ms   BIGINT NOT NULL,
          heartbeat_at_ms BIGINT NOT NULL,
          expires_at_ms   BIGINT NOT NULL
        );
      `);
      const workspace = buildWorkspace(DEFAULT_WORKSPACE, {}, nowMs);
      await client.query('INSERT INTO workspaces (name, resource_version, labels_json, object) VALUES ($1, 1, $2, $3)', [
        DEFAULT_WORKSPACE,
        '{}',
        Buffer.from(Workspace.encode(workspace).finish()),
      ]);
    },
  },
];

/** Any fixed key: replicas starting together queue on it, so each step runs once. */
const MIGRATION_LOCK_KEY = 0x5347_0016;

/**
 * Brings the database up to the newest step of `migrations` in one transaction, under a
 * transaction-scoped advisory lock so several replicas starting at once apply each step once
 * (Postgres DDL is transactional: a failed step leaves nothing behind).
 * @throws StoreSchemaTooNewError when the database is ahead of `migrations`.
 * @returns the schema version afterwards.
 */
export async function runPostgresMigrations(client: PoolClient, target: string, nowMs: number, migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): Promise<number> {
  const supported = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version       INTEGER PRIMARY KEY,
      description   TEXT NOT NULL,
      applied_at_ms BIGINT NOT NULL
    )`);
    const readVersion = async (): Promise<number> => (await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations')).rows[0]?.version ?? 0;
    const current = await readVersion();
    if (current > supported) throw new StoreSchemaTooNewError(target, current, supported);
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      await migration.up(client, nowMs);
      await client.query('INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES ($1, $2, $3)', [migration.version, migration.description, nowMs]);
    }
    const version = await readVersion();
    await client.query('COMMIT');
    return version;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
