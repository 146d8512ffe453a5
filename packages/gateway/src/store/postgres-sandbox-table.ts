import type { Sandbox } from '@shellgate/api';

import {
  InvalidStoreRecordError,
  SandboxIdTakenError,
  SandboxNameTakenError,
  SandboxRecordNotFoundError,
  VersionConflictError,
  WorkspaceNotFoundError,
} from './errors.js';
import type { ListSandboxesOptions, SandboxFilter, SandboxRecord } from './gateway-store.js';
import { countMatchingLabels, isSelectingAll, pageMatchingRows, toSqlPage } from './list-query.js';
import type { LeaseFence } from './coordination-store.js';
import { leaseFenceHeldSql, leaseFenceValues } from './postgres-coordination-table.js';
import type { PostgresCoordinationTable } from './postgres-coordination-table.js';
import { CHANGES_CHANNEL } from './postgres-executor.js';
import type { PostgresExecutor } from './postgres-executor.js';
import { PostgresErrorCode, postgresErrorCode, violatedConstraint } from './postgres-error.js';
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

const COLUMNS = 'id, workspace, name, driver, desired_state, missing_since_ms, resource_version, labels_json, object';
/** Notifies other replicas from the rows a write returned, in the write's own statement. */
const NOTIFY_SANDBOX = `SELECT pg_notify('${CHANGES_CHANNEL}', json_build_object('o', $ORIGIN::text, 'k', 's', 'id', id, 'ws', workspace,
  'n', name, 'v', resource_version, 'd', $DELETED::boolean)::text) FROM changed`;

function notifying(write: string, originParam: number, isDelete: boolean): string {
  const notify = NOTIFY_SANDBOX.replace('$ORIGIN', `$${originParam}`).replace('$DELETED', String(isDelete));
  return `WITH changed AS (${write} RETURNING id, workspace, name, resource_version) ${notify}`;
}

const INSERT_SQL = notifying(`INSERT INTO sandboxes (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, 10, false);
const UPDATE_SET = `UPDATE sandboxes SET workspace = $2, name = $3, driver = $4, desired_state = $5, missing_since_ms = $6,
  resource_version = $7, labels_json = $8, object = $9 WHERE id = $1 AND resource_version = $10`;
const UPDATE_SQL = notifying(UPDATE_SET, 11, false);
const FENCED_UPDATE_SQL = notifying(`${UPDATE_SET} AND ${leaseFenceHeldSql(12)}`, 11, false);
const DELETE_SQL = notifying('DELETE FROM sandboxes WHERE id = $1 AND ($2::bigint IS NULL OR resource_version = $2)', 3, true);

/** The leader's fence for a write, and the table that can tell a lost lease from a conflict. */
export interface SandboxWriteFence {
  readonly fence: LeaseFence;
  readonly coordination: PostgresCoordinationTable;
}

function rowValues(row: SandboxRow): unknown[] {
  return [row.id, row.workspace, row.name, row.driver, row.desired_state, row.missing_since_ms, row.resource_version, row.labels_json, row.object];
}

/** Filter clauses in order; parameters are numbered from `first`. */
function whereClause(filter: SandboxFilter, first = 1): { sql: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  for (const [column, value] of [['workspace', filter.workspace], ['driver', filter.driver]] as const) {
    if (value === undefined) continue;
    values.push(value);
    clauses.push(`${column} = $${first + values.length - 1}`);
  }
  return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, values };
}

/** Statement names differ per filter combination, as their text does. */
function statementName(prefix: string, filter: SandboxFilter): string {
  return `${prefix}-${filter.workspace === undefined ? '' : 'w'}${filter.driver === undefined ? '' : 'd'}`;
}

/**
 * The sandboxes table in Postgres. Each write is one statement (compare-and-set in its WHERE,
 * constraints for names and workspaces, pg_notify for other replicas), so it commits alone
 * or joins the caller's transaction (fenced writes). Decoded objects are cached per
 * resource_version like SQLite's: every read fetches the row's current version first, so
 * another replica's write is never hidden by the cache.
 */
export class PostgresSandboxTable {
  readonly objects = new SandboxObjectCache();

  constructor(private readonly origin: string) {}

  async insert(db: PostgresExecutor, record: SandboxRecord, nowMs: number): Promise<SandboxRecord> {
    const stored = toStoredSandbox(withCreatedAt(record, nowMs), 1);
    const row = encodeSandboxRow(record, stored);
    this.objects.forget(row.id);
    try {
      await db.query(INSERT_SQL, [...rowValues(row), this.origin], 'sandbox-insert');
    } catch (error) {
      throw toSandboxWriteError(error, row);
    }
    return this.adoptWritten(row, stored);
  }

  async get(db: PostgresExecutor, id: string): Promise<SandboxRecord | undefined> {
    const { rows } = await db.query<SandboxRow>(`SELECT ${COLUMNS} FROM sandboxes WHERE id = $1`, [id], 'sandbox-get');
    return rows[0] === undefined ? undefined : this.toReadRecord(rows[0]);
  }

  async findByName(db: PostgresExecutor, workspace: string, name: string): Promise<SandboxRecord | undefined> {
    const sql = `SELECT ${COLUMNS} FROM sandboxes WHERE workspace = $1 AND name = $2`;
    const { rows } = await db.query<SandboxRow>(sql, [workspace, name], 'sandbox-find');
    return rows[0] === undefined ? undefined : this.toReadRecord(rows[0]);
  }

  async list(db: PostgresExecutor, options: ListSandboxesOptions): Promise<SandboxRecord[]> {
    const where = whereClause(options);
    const order = `SELECT ${LIST_COLUMNS} FROM sandboxes ${where.sql} ORDER BY workspace, name`;
    let tuples: SandboxListTuple[];
    if (isSelectingAll(options.labelSelector)) {
      const { limit, offset } = toSqlPage(options);
      const paged = `${order} LIMIT $${where.values.length + 1} OFFSET $${where.values.length + 2}`;
      tuples = await db.queryArrays<SandboxListTuple>(paged, [...where.values, limit < 0 ? null : limit, offset], statementName('sandbox-page', options));
    } else {
      const all = await db.queryArrays<SandboxListTuple>(order, where.values, statementName('sandbox-all', options));
      tuples = pageMatchingRows(all, labelsJsonOfTuple, options.labelSelector!, options);
    }
    return tuples.map((tuple) => this.toListedRecord(tuple));
  }

  async count(db: PostgresExecutor, filter: SandboxFilter): Promise<number> {
    const where = whereClause(filter);
    if (isSelectingAll(filter.labelSelector)) {
      const { rows } = await db.query<{ count: number }>(`SELECT COUNT(*)::int AS count FROM sandboxes ${where.sql}`, where.values, statementName('sandbox-count', filter));
      return rows[0]?.count ?? 0;
    }
    const { rows } = await db.query<{ labels_json: string }>(`SELECT labels_json FROM sandboxes ${where.sql}`, where.values, statementName('sandbox-labels', filter));
    return countMatchingLabels(rows.map((row) => row.labels_json), filter.labelSelector!);
  }

  /**
   * Compare-and-set of one sandbox; under `guard` the lease check is part of the same
   * statement, so the leader's status writes stay one round trip.
   */
  async update(db: PostgresExecutor, id: string, expectedVersion: number, next: SandboxRecord, guard?: SandboxWriteFence): Promise<SandboxRecord> {
    const stored = toStoredSandbox(next, expectedVersion + 1);
    const row = encodeSandboxRow(next, stored);
    if (row.id !== id) {
      throw new InvalidStoreRecordError('sandbox', `metadata.id ${JSON.stringify(row.id)} does not match ${JSON.stringify(id)}; ids never change`);
    }
    this.objects.forget(id);
    const values = [...rowValues(row), expectedVersion, this.origin];
    let rowCount: number | null;
    try {
      ({ rowCount } = guard === undefined
        ? await db.query(UPDATE_SQL, values, 'sandbox-update')
        : await db.query(FENCED_UPDATE_SQL, [...values, ...leaseFenceValues(guard.fence)], 'sandbox-update-fenced'));
    } catch (error) {
      throw toSandboxWriteError(error, row);
    }
    if (rowCount === 0) {
      // A lease lost since (or before) the write explains it first: the write did not happen.
      if (guard !== undefined) await guard.coordination.assertFenceHeld(db, guard.fence);
      const actual = await this.selectVersion(db, id);
      if (actual === undefined) throw new SandboxRecordNotFoundError(id);
      throw new VersionConflictError('sandbox', id, expectedVersion, actual);
    }
    return this.adoptWritten(row, stored);
  }

  async delete(db: PostgresExecutor, id: string, expectedVersion: number | undefined): Promise<boolean> {
    this.objects.forget(id);
    const { rowCount } = await db.query(DELETE_SQL, [id, expectedVersion ?? null, this.origin], 'sandbox-delete');
    if (rowCount !== 0) return true;
    const actual = await this.selectVersion(db, id);
    if (actual === undefined) return false;
    throw new VersionConflictError('sandbox', id, expectedVersion!, actual);
  }

  private async selectVersion(db: PostgresExecutor, id: string): Promise<number | undefined> {
    const { rows } = await db.query<{ resource_version: number }>('SELECT resource_version FROM sandboxes WHERE id = $1', [id], 'sandbox-version');
    return rows[0]?.resource_version;
  }

  private toReadRecord(row: SandboxRow): SandboxRecord {
    const cached = this.objects.get(row.id, row.resource_version);
    if (cached !== undefined) return toRecordOfRow(row, cached);
    const record = decodeSandboxRow(row);
    this.objects.adopt(row.id, row.resource_version, toSandboxCopy(record.sandbox));
    return record;
  }

  private toListedRecord(tuple: SandboxListTuple): SandboxRecord {
    const { id, resourceVersion } = versionOfTuple(tuple);
    const cached = this.objects.get(id, resourceVersion);
    if (cached !== undefined) return toSandboxRecord(tuple, cached);
    const record = decodeSandboxTuple(tuple);
    this.objects.adopt(id, resourceVersion, toSandboxCopy(record.sandbox));
    return record;
  }

  private adoptWritten(row: SandboxRow, stored: Sandbox): SandboxRecord {
    this.objects.adopt(row.id, row.resource_version, stored);
    return toRecordOfRow(row, toSandboxCopy(stored));
  }
}

/** Constraint violations of a sandbox write as the store's own errors. */
function toSandboxWriteError(error: unknown, row: SandboxRow): unknown {
  const code = postgresErrorCode(error);
  if (code === PostgresErrorCode.ForeignKeyViolation) return new WorkspaceNotFoundError(row.workspace);
  if (code !== PostgresErrorCode.UniqueViolation) return error;
  return violatedConstraint(error) === 'sandboxes_pkey' ? new SandboxIdTakenError(row.id) : new SandboxNameTakenError(row.workspace, row.name);
}
