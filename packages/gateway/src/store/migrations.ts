import { Workspace } from '@shellgate/api';
import type { Database as SqliteDatabase } from 'better-sqlite3';

import { StoreSchemaTooNewError } from './errors.js';
import { DEFAULT_WORKSPACE } from './gateway-store.js';
import { buildWorkspace } from './workspace-row.js';

/** One schema step. `up` runs once, inside the transaction that records it. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: SqliteDatabase, nowMs: number): void;
}

/**
 * Schema history. Append only: never edit a released step, add a new one. The version a
 * database reached is recorded in `schema_migrations`.
 */
export const STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sandboxes and workspaces; seed the default workspace',
    up(db: SqliteDatabase, nowMs: number): void {
      // Objects are stored whole as protobuf (object) so a restart loses no field, plus the
      // columns lists filter and order on. labels_json lets a label selector run before the
      // more expensive protobuf decode. (workspace, name) is unique and also serves as the
      // index for ordered lists and the foreign key.
      db.exec(`
        CREATE TABLE workspaces (
          name             TEXT PRIMARY KEY,
          resource_version INTEGER NOT NULL,
          labels_json      TEXT NOT NULL,
          object           BLOB NOT NULL
        ) STRICT;
        CREATE TABLE sandboxes (
          id               TEXT PRIMARY KEY,
          workspace        TEXT NOT NULL REFERENCES workspaces (name) ON DELETE RESTRICT,
          name             TEXT NOT NULL,
          driver           TEXT NOT NULL,
          desired_state    TEXT NOT NULL CHECK (desired_state IN ('running', 'stopped')),
          missing_since_ms INTEGER,
          resource_version INTEGER NOT NULL,
          labels_json      TEXT NOT NULL,
          object           BLOB NOT NULL,
          UNIQUE (workspace, name)
        ) STRICT;
        CREATE INDEX sandboxes_by_driver ON sandboxes (driver, workspace, name);
      `);
      const workspace = buildWorkspace(DEFAULT_WORKSPACE, {}, nowMs);
      db.prepare('INSERT INTO workspaces (name, resource_version, labels_json, object) VALUES (?, 1, ?, ?)').run(
        DEFAULT_WORKSPACE,
        '{}',
        Buffer.from(Workspace.encode(workspace).finish()),
      );
    },
  },
  {
    version: 2,
    description: 'leases and the replica registry (issue 16)',
    up(db: SqliteDatabase): void {
      // A released or expired lease keeps its row so its epoch keeps counting up.
      db.exec(`
        CREATE TABLE leases (
          name           TEXT PRIMARY KEY,
          holder         TEXT NOT NULL,
          epoch          INTEGER NOT NULL,
          expires_at_ms  INTEGER NOT NULL,
          acquired_at_ms INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE replicas (
          id              TEXT PRIMARY KEY,
          relay_address   TEXT NOT NULL,
          started_at_ms   INTEGER NOT NULL,
          heartbeat_at_ms INTEGER NOT NULL,
          expires_at_ms   INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
];

function readSchemaVersion(db: SqliteDatabase): number {
  const row = db.prepare<[], { version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations').get();
  return row?.version ?? 0;
}

/**
 * Brings the database up to the newest migration in `migrations`, each step in its own
 * transaction. Safe to run on every open and from two processes at once: each step takes the
 * write lock first (BEGIN IMMEDIATE) and re-checks whether another opener already applied it.
 * @throws StoreSchemaTooNewError when the database is ahead of `migrations`.
 * @returns the schema version the database is at afterwards.
 */
export function runMigrations(db: SqliteDatabase, path: string, nowMs: number, migrations: readonly Migration[] = STORE_MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version       INTEGER PRIMARY KEY,
    description   TEXT NOT NULL,
    applied_at_ms INTEGER NOT NULL
  ) STRICT`);
  const supported = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const current = readSchemaVersion(db);
  if (current > supported) throw new StoreSchemaTooNewError(path, current, supported);
  const record = db.prepare('INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (?, ?, ?)');
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const apply = db.transaction(() => {
      if (readSchemaVersion(db) >= migration.version) return;
      migration.up(db, nowMs);
      record.run(migration.version, migration.description, nowMs);
    });
    if (migration.version > current) apply.immediate();
  }
  return readSchemaVersion(db);
}
