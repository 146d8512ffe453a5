import type { Workspace } from '@shellgate/api';

import {
  DefaultWorkspaceDeletionError,
  InvalidStoreRecordError,
  VersionConflictError,
  WorkspaceAlreadyExistsError,
  WorkspaceNotEmptyError,
  WorkspaceNotFoundError,
} from './errors.js';
import { DEFAULT_WORKSPACE } from './gateway-store.js';
import type { ListWorkspacesOptions } from './gateway-store.js';
import { isSelectingAll, pageMatchingRows, toSqlPage } from './list-query.js';
import { CHANGES_CHANNEL } from './postgres-executor.js';
import type { PostgresExecutor } from './postgres-executor.js';
import { PostgresErrorCode, postgresErrorCode } from './postgres-error.js';
import { buildWorkspace, decodeWorkspaceRow, encodeWorkspaceRow } from './workspace-row.js';
import type { WorkspaceRow } from './workspace-row.js';

const COLUMNS = 'name, resource_version, labels_json, object';

function notifying(write: string, originParam: number, isDelete: boolean): string {
  return `WITH changed AS (${write} RETURNING name, resource_version)
    SELECT pg_notify('${CHANGES_CHANNEL}', json_build_object('o', $${originParam}::text, 'k', 'w', 'n', name,
      'v', resource_version, 'd', ${String(isDelete)})::text) FROM changed`;
}

const INSERT_SQL = notifying(`INSERT INTO workspaces (${COLUMNS}) VALUES ($1, $2, $3, $4)`, 5, false);
const UPDATE_SQL = notifying('UPDATE workspaces SET resource_version = $2, labels_json = $3, object = $4 WHERE name = $1 AND resource_version = $5', 6, false);
const DELETE_SQL = notifying('DELETE FROM workspaces WHERE name = $1', 2, true);

/** The workspaces table in Postgres; writes notify other replicas like sandbox writes do. */
export class PostgresWorkspaceTable {
  constructor(private readonly origin: string) {}

  async insert(db: PostgresExecutor, name: string, labels: Readonly<Record<string, string>>, nowMs: number): Promise<Workspace> {
    const row = encodeWorkspaceRow(buildWorkspace(name, labels, nowMs), 1);
    try {
      await db.query(INSERT_SQL, [row.name, row.resource_version, row.labels_json, row.object, this.origin], 'workspace-insert');
    } catch (error) {
      if (postgresErrorCode(error) === PostgresErrorCode.UniqueViolation) throw new WorkspaceAlreadyExistsError(name);
      throw error;
    }
    return decodeWorkspaceRow(row);
  }

  async get(db: PostgresExecutor, name: string): Promise<Workspace | undefined> {
    const { rows } = await db.query<WorkspaceRow>(`SELECT ${COLUMNS} FROM workspaces WHERE name = $1`, [name], 'workspace-get');
    return rows[0] === undefined ? undefined : decodeWorkspaceRow(rows[0]);
  }

  async list(db: PostgresExecutor, options: ListWorkspacesOptions): Promise<Workspace[]> {
    const order = `SELECT ${COLUMNS} FROM workspaces ORDER BY name`;
    if (isSelectingAll(options.labelSelector)) {
      const { limit, offset } = toSqlPage(options);
      const { rows } = await db.query<WorkspaceRow>(`${order} LIMIT $1 OFFSET $2`, [limit < 0 ? null : limit, offset], 'workspace-page');
      return rows.map(decodeWorkspaceRow);
    }
    const { rows } = await db.query<WorkspaceRow>(order, [], 'workspace-all');
    return pageMatchingRows(rows, (row) => row.labels_json, options.labelSelector!, options).map(decodeWorkspaceRow);
  }

  async update(db: PostgresExecutor, name: string, expectedVersion: number, next: Workspace): Promise<Workspace> {
    const row = encodeWorkspaceRow(next, expectedVersion + 1);
    if (row.name !== name) {
      throw new InvalidStoreRecordError('workspace', `metadata.name ${JSON.stringify(row.name)} does not match ${JSON.stringify(name)}; workspaces are never renamed`);
    }
    const values = [row.name, row.resource_version, row.labels_json, row.object, expectedVersion, this.origin];
    const { rowCount } = await db.query(UPDATE_SQL, values, 'workspace-update');
    if (rowCount === 0) {
      const actual = await this.selectVersion(db, name, false);
      if (actual === undefined) throw new WorkspaceNotFoundError(name);
      throw new VersionConflictError('workspace', name, expectedVersion, actual);
    }
    return decodeWorkspaceRow(row);
  }

  /** Locks the row first: a sandbox insert into the workspace (FOR KEY SHARE) then waits for us. */
  async delete(db: PostgresExecutor, name: string, expectedVersion: number | undefined): Promise<boolean> {
    if (name === DEFAULT_WORKSPACE) throw new DefaultWorkspaceDeletionError(name);
    return db.transaction(async (tx) => {
      const actual = await this.selectVersion(tx, name, true);
      if (actual === undefined) return false;
      if (expectedVersion !== undefined && actual !== expectedVersion) throw new VersionConflictError('workspace', name, expectedVersion, actual);
      const { rows } = await tx.query<{ count: number }>('SELECT COUNT(*)::int AS count FROM sandboxes WHERE workspace = $1', [name], 'workspace-sandboxes');
      const sandboxCount = rows[0]?.count ?? 0;
      if (sandboxCount > 0) throw new WorkspaceNotEmptyError(name, sandboxCount);
      await tx.query(DELETE_SQL, [name, this.origin], 'workspace-delete');
      return true;
    });
  }

  private async selectVersion(db: PostgresExecutor, name: string, isLocking: boolean): Promise<number | undefined> {
    const sql = `SELECT resource_version FROM workspaces WHERE name = $1${isLocking ? ' FOR UPDATE' : ''}`;
    const { rows } = await db.query<{ resource_version: number }>(sql, [name], isLocking ? 'workspace-lock' : 'workspace-version');
    return rows[0]?.resource_version;
  }
}
