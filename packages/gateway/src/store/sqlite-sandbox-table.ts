import type { Sandbox } from '@shellgate/api';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';

import { isEmptyLabelSelector } from '../labels/index.js';
import {
  InvalidStoreRecordError,
  SandboxIdTakenError,
  SandboxNameTakenError,
  SandboxRecordNotFoundError,
  VersionConflictError,
  WorkspaceNotFoundError,
} from './errors.js';
import type { ListSandboxesOptions, SandboxFilter, SandboxRecord } from './gateway-store.js';
import { countMatching, selectPage } from './list-query.js';
import { SandboxObjectCache, toSandboxCopy } from './sandbox-object-cache.js';
import {
  LIST_COLUMNS,
  decodeSandboxRow,
  decodeSandboxTuple,
  encodeSandboxRow,
  labelsJsonOfTuple,
  toRecordOfRow,
  toSandboxRecord,
  toStoredSandbox,
  versionOfTuple,
  withCreatedAt,
} from './sandbox-row.js';
import type { SandboxListTuple, SandboxRow } from './sandbox-row.js';

type Params = Record<string, unknown>;
const COLUMNS = 'id, workspace, name, driver, desired_state, missing_since_ms, resource_version, labels_json, object';

/** Every optional filter becomes a clause only when set, so each combination has one statement. */
function whereClause(filter: SandboxFilter): string {
  const clauses: string[] = [];
  if (filter.workspace !== undefined) clauses.push('workspace = @workspace');
  if (filter.driver !== undefined) clauses.push('driver = @driver');
  return clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
}

/**
 * The sandboxes table: synchronous, each write one transaction. A write forgets the cached
 * object first and caches the one it stored after the commit, so the reads that follow every
 * write (the status sync's read-modify-write, create's final read) copy it instead of
 * decoding it.
 */
export class SqliteSandboxTable {
  private readonly statements = new Map<string, Statement<[Params], unknown>>();
  private readonly objects = new SandboxObjectCache();

  constructor(private readonly db: SqliteDatabase) {}

  insert(record: SandboxRecord, nowMs: number): SandboxRecord {
    const stored = toStoredSandbox(withCreatedAt(record, nowMs), 1);
    const row = encodeSandboxRow(record, stored);
    this.objects.forget(row.id);
    this.db.transaction(() => {
      this.checkWorkspaceExists(row.workspace);
      if (this.selectVersion(row.id) !== undefined) throw new SandboxIdTakenError(row.id);
      this.checkNameFree(row);
      this.statement(`INSERT INTO sandboxes (${COLUMNS}) VALUES (@id, @workspace, @name, @driver, @desired_state,
        @missing_since_ms, @resource_version, @labels_json, @object)`).run({ ...row });
    }).immediate();
    return this.adoptWritten(row, stored);
  }

  get(id: string): SandboxRecord | undefined {
    const row = this.statement(`SELECT ${COLUMNS} FROM sandboxes WHERE id = @id`).get({ id }) as SandboxRow | undefined;
    return row === undefined ? undefined : this.toReadRecord(row);
  }

  findByName(workspace: string, name: string): SandboxRecord | undefined {
    const sql = `SELECT ${COLUMNS} FROM sandboxes WHERE workspace = @workspace AND name = @name`;
    const row = this.statement(sql).get({ workspace, name }) as SandboxRow | undefined;
    return row === undefined ? undefined : this.toReadRecord(row);
  }

  /** A copy of the cached object when the row's version is the cached one; decoded (and cached) otherwise. */
  private toReadRecord(row: SandboxRow): SandboxRecord {
    const cached = this.objects.get(row.id, row.resource_version);
    if (cached !== undefined) return toRecordOfRow(row, cached);
    const record = decodeSandboxRow(row);
    this.objects.adopt(row.id, row.resource_version, toSandboxCopy(record.sandbox));
    return record;
  }

  /** Caches the object a committed write stored and returns a copy of it to the writer. */
  private adoptWritten(row: SandboxRow, stored: Sandbox): SandboxRecord {
    this.objects.adopt(row.id, row.resource_version, stored);
    return toRecordOfRow(row, toSandboxCopy(stored));
  }

  list(options: ListSandboxesOptions): SandboxRecord[] {
    const sql = `SELECT ${LIST_COLUMNS} FROM sandboxes ${whereClause(options)} ORDER BY workspace, name LIMIT @limit OFFSET @offset`;
    const statement = this.statement(sql, 'raw') as Statement<[Params], SandboxListTuple>;
    const params = { workspace: options.workspace, driver: options.driver };
    return selectPage(statement, params, labelsJsonOfTuple, options.labelSelector, options).map((tuple) => this.toListedRecord(tuple));
  }

  /** From the cache when the row's version is the cached one; decoded (and cached) otherwise. */
  private toListedRecord(tuple: SandboxListTuple): SandboxRecord {
    const { id, resourceVersion } = versionOfTuple(tuple);
    const cached = this.objects.get(id, resourceVersion);
    if (cached !== undefined) return toSandboxRecord(tuple, cached);
    const record = decodeSandboxTuple(tuple);
    this.objects.adopt(id, resourceVersion, toSandboxCopy(record.sandbox));
    return record;
  }

  count(filter: SandboxFilter): number {
    const params = { workspace: filter.workspace, driver: filter.driver };
    if (filter.labelSelector === undefined || isEmptyLabelSelector(filter.labelSelector)) {
      const row = this.statement(`SELECT COUNT(*) AS count FROM sandboxes ${whereClause(filter)}`).get(params);
      return (row as { count: number }).count;
    }
    const statement = this.statement(`SELECT labels_json FROM sandboxes ${whereClause(filter)}`, 'pluck');
    return countMatching(statement as Statement<[Params], string>, params, filter.labelSelector);
  }

  update(id: string, expectedVersion: number, next: SandboxRecord): SandboxRecord {
    const stored = toStoredSandbox(next, expectedVersion + 1);
    const row = encodeSandboxRow(next, stored);
    if (row.id !== id) {
      throw new InvalidStoreRecordError('sandbox', `metadata.id ${JSON.stringify(row.id)} does not match ${JSON.stringify(id)}; ids never change`);
    }
    this.objects.forget(id);
    this.db.transaction(() => {
      this.checkVersion(id, expectedVersion);
      this.checkWorkspaceExists(row.workspace);
      this.checkNameFree(row);
      this.statement(`UPDATE sandboxes SET workspace = @workspace, name = @name, driver = @driver,
        desired_state = @desired_state, missing_since_ms = @missing_since_ms, resource_version = @resource_version,
        labels_json = @labels_json, object = @object WHERE id = @id`).run({ ...row });
    }).immediate();
    return this.adoptWritten(row, stored);
  }

  delete(id: string, expectedVersion: number | undefined): boolean {
    this.objects.forget(id);
    return this.db.transaction(() => {
      const actual = this.selectVersion(id);
      if (actual === undefined) return false;
      if (expectedVersion !== undefined && actual !== expectedVersion) {
        throw new VersionConflictError('sandbox', id, expectedVersion, actual);
      }
      this.statement('DELETE FROM sandboxes WHERE id = @id').run({ id });
      return true;
    }).immediate();
  }

  private checkVersion(id: string, expectedVersion: number): void {
    const actual = this.selectVersion(id);
    if (actual === undefined) throw new SandboxRecordNotFoundError(id);
    if (actual !== expectedVersion) throw new VersionConflictError('sandbox', id, expectedVersion, actual);
  }

  private checkWorkspaceExists(workspace: string): void {
    const row = this.statement('SELECT 1 AS found FROM workspaces WHERE name = @workspace').get({ workspace });
    if (row === undefined) throw new WorkspaceNotFoundError(workspace);
  }

  private checkNameFree(row: SandboxRow): void {
    const holder = this.statement('SELECT id FROM sandboxes WHERE workspace = @workspace AND name = @name').get({ workspace: row.workspace, name: row.name }) as
      | { id: string }
      | undefined;
    if (holder !== undefined && holder.id !== row.id) throw new SandboxNameTakenError(row.workspace, row.name);
  }

  private selectVersion(id: string): number | undefined {
    const row = this.statement('SELECT resource_version FROM sandboxes WHERE id = @id').get({ id }) as
      | { resource_version: number }
      | undefined;
    return row?.resource_version;
  }

  // Statements are prepared once per SQL text; the set is small and fixed (filter combinations).
  private statement(sql: string, mode: 'rows' | 'raw' | 'pluck' = 'rows'): Statement<[Params], unknown> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<[Params], unknown>(sql);
      if (mode === 'raw') statement.raw(true);
      if (mode === 'pluck') statement.pluck(true);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
