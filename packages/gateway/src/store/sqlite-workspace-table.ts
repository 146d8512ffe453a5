import type { Workspace } from '@shellgate/api';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';

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
import { selectPage } from './list-query.js';
import { buildWorkspace, decodeWorkspaceRow, encodeWorkspaceRow } from './workspace-row.js';
import type { WorkspaceRow } from './workspace-row.js';

type Params = Record<string, unknown>;

/** The workspaces table: synchronous, each write one transaction. */
export class SqliteWorkspaceTable {
  private readonly insertRow: Statement<[Params], unknown>;
  private readonly selectRow: Statement<[Params], WorkspaceRow>;
  private readonly selectList: Statement<[Params], WorkspaceRow>;
  private readonly updateRow: Statement<[Params], unknown>;
  private readonly deleteRow: Statement<[Params], unknown>;
  private readonly countSandboxes: Statement<[Params], { count: number }>;

  constructor(private readonly db: SqliteDatabase) {
    const columns = 'name, resource_version, labels_json, object';
    this.insertRow = db.prepare(`INSERT INTO workspaces (${columns}) VALUES (@name, @resource_version, @labels_json, @object)`);
    this.selectRow = db.prepare(`SELECT ${columns} FROM workspaces WHERE name = @name`);
    this.selectList = db.prepare(`SELECT ${columns} FROM workspaces ORDER BY name LIMIT @limit OFFSET @offset`);
    this.updateRow = db.prepare(
      'UPDATE workspaces SET resource_version = @resource_version, labels_json = @labels_json, object = @object WHERE name = @name',
    );
    this.deleteRow = db.prepare('DELETE FROM workspaces WHERE name = @name');
    this.countSandboxes = db.prepare('SELECT COUNT(*) AS count FROM sandboxes WHERE workspace = @name');
  }

  insert(name: string, labels: Readonly<Record<string, string>>, nowMs: number): Workspace {
    const row = encodeWorkspaceRow(buildWorkspace(name, labels, nowMs), 1);
    return this.db.transaction(() => {
      if (this.selectRow.get({ name }) !== undefined) throw new WorkspaceAlreadyExistsError(name);
      this.insertRow.run({ ...row });
      return decodeWorkspaceRow(row);
    }).immediate();
  }

  get(name: string): Workspace | undefined {
    const row = this.selectRow.get({ name });
    return row === undefined ? undefined : decodeWorkspaceRow(row);
  }

  list(options: ListWorkspacesOptions): Workspace[] {
    return selectPage(this.selectList, {}, (row) => row.labels_json, options.labelSelector, options).map(decodeWorkspaceRow);
  }

  update(name: string, expectedVersion: number, next: Workspace): Workspace {
    const row = encodeWorkspaceRow(next, expectedVersion + 1);
    if (row.name !== name) {
      throw new InvalidStoreRecordError('workspace', `metadata.name ${JSON.stringify(row.name)} does not match ${JSON.stringify(name)}; workspaces are never renamed`);
    }
    return this.db.transaction(() => {
      const actual = this.selectRow.get({ name })?.resource_version;
      if (actual === undefined) throw new WorkspaceNotFoundError(name);
      if (actual !== expectedVersion) throw new VersionConflictError('workspace', name, expectedVersion, actual);
      this.updateRow.run({ ...row });
      return decodeWorkspaceRow(row);
    }).immediate();
  }

  delete(name: string, expectedVersion: number | undefined): boolean {
    if (name === DEFAULT_WORKSPACE) throw new DefaultWorkspaceDeletionError(name);
    return this.db.transaction(() => {
      const actual = this.selectRow.get({ name })?.resource_version;
      if (actual === undefined) return false;
      if (expectedVersion !== undefined && actual !== expectedVersion) {
        throw new VersionConflictError('workspace', name, expectedVersion, actual);
      }
      const sandboxCount = this.countSandboxes.get({ name })?.count ?? 0;
      if (sandboxCount > 0) throw new WorkspaceNotEmptyError(name, sandboxCount);
      this.deleteRow.run({ name });
      return true;
    }).immediate();
  }
}
