import type { Lease, LeaseFence, ReplicaRecord } from './coordination-store.js';
import { checkLeaseFence, decideLeaseAcquire, isLeaseHeld } from './lease-decision.js';
import { NOW_MS_SQL } from './postgres-executor.js';
import type { PostgresExecutor } from './postgres-executor.js';

interface LeaseRow {
  name: string;
  holder: string;
  epoch: number;
  expires_at_ms: number;
  acquired_at_ms: number;
  now_ms: number;
}

const LEASE_SELECT = `SELECT name, holder, epoch, expires_at_ms, acquired_at_ms, ${NOW_MS_SQL} AS now_ms FROM leases WHERE name = $1`;

const REPLICA_COLUMNS = 'id, relay_address, started_at_ms, heartbeat_at_ms, expires_at_ms';

/**
 * A condition that holds while `fence` names the live lease, share-locking the lease row as
 * checkFence does, for a write that checks its fence in its own statement (one round trip
 * instead of four). Parameters `$first` to `$first + 2` are {@link leaseFenceValues}.
 */
export function leaseFenceHeldSql(first: number): string {
  return `EXISTS (SELECT 1 FROM leases WHERE name = $${first} AND holder = $${first + 1} AND epoch = $${first + 2}
    AND expires_at_ms > ${NOW_MS_SQL} FOR SHARE)`;
}

/** The parameters {@link leaseFenceHeldSql} names, in its order. */
export function leaseFenceValues(fence: LeaseFence): unknown[] {
  return [fence.name, fence.holder, fence.epoch];
}

/** Epoch 0 marks the placeholder row acquire inserts so that it has a row to lock: no lease yet. */
function toLease(row: LeaseRow | undefined): Lease | undefined {
  if (row === undefined || row.epoch === 0) return undefined;
  return { name: row.name, holder: row.holder, epoch: row.epoch, expiresAtMs: row.expires_at_ms, acquiredAtMs: row.acquired_at_ms };
}

function toReplicaRecord(row: { id: string; relay_address: string; started_at_ms: number; heartbeat_at_ms: number; expires_at_ms: number }): ReplicaRecord {
  return { id: row.id, relayAddress: row.relay_address, startedAtMs: row.started_at_ms, heartbeatAtMs: row.heartbeat_at_ms, expiresAtMs: row.expires_at_ms };
}

/**
 * Leases and the replica registry in Postgres, timed by the database's clock. A lease row is
 * locked (FOR UPDATE) while it changes hands and share-locked (FOR SHARE) by a fenced write,
 * so a new epoch is granted either after that write committed or before it checks, never
 * in between.
 */
export class PostgresCoordinationTable {
  async getLease(db: PostgresExecutor, name: string): Promise<Lease | undefined> {
    const { rows } = await db.query<LeaseRow>(LEASE_SELECT, [name], 'lease-get');
    return toLease(rows[0]);
  }

  async acquireLease(db: PostgresExecutor, name: string, holder: string, ttlMs: number): Promise<Lease> {
    await db.query("INSERT INTO leases (name, holder, epoch, expires_at_ms, acquired_at_ms) VALUES ($1, '', 0, 0, 0) ON CONFLICT (name) DO NOTHING", [name], 'lease-seed');
    return db.transaction(async (tx) => {
      const { current, nowMs } = await this.lockLease(tx, name, 'UPDATE');
      const next = decideLeaseAcquire(current, name, holder, nowMs, ttlMs);
      if (next === undefined) return current!;
      await this.writeLease(tx, next);
      return next;
    });
  }

  async renewLease(db: PostgresExecutor, fence: LeaseFence, ttlMs: number): Promise<Lease> {
    return db.transaction(async (tx) => {
      const { current, nowMs } = await this.lockLease(tx, fence.name, 'UPDATE');
      checkLeaseFence(current, fence, nowMs);
      const next = { ...current, expiresAtMs: nowMs + ttlMs };
      await this.writeLease(tx, next);
      return next;
    });
  }

  async releaseLease(db: PostgresExecutor, fence: LeaseFence): Promise<boolean> {
    return db.transaction(async (tx) => {
      const { current, nowMs } = await this.lockLease(tx, fence.name, 'UPDATE');
      if (!isLeaseHeld(current, fence, nowMs)) return false;
      await this.writeLease(tx, { ...current, expiresAtMs: nowMs });
      return true;
    });
  }

  /**
   * Throws LeaseLostError unless `fence` holds its lease now; for telling why a write guarded
   * by {@link leaseFenceHeldSql} changed nothing.
   */
  async assertFenceHeld(db: PostgresExecutor, fence: LeaseFence): Promise<void> {
    const { rows } = await db.query<LeaseRow>(LEASE_SELECT, [fence.name], 'lease-get');
    checkLeaseFence(toLease(rows[0]), fence, rows[0]?.now_ms ?? 0);
  }

  /** Throws LeaseLostError unless `fence` holds its lease; `tx` must be the write's transaction. */
  async checkFence(tx: PostgresExecutor, fence: LeaseFence): Promise<void> {
    const { current, nowMs } = await this.lockLease(tx, fence.name, 'SHARE');
    checkLeaseFence(current, fence, nowMs);
  }

  async registerReplica(db: PostgresExecutor, id: string, relayAddress: string, ttlMs: number): Promise<ReplicaRecord> {
    const { rows } = await db.query<Parameters<typeof toReplicaRecord>[0]>(
      `INSERT INTO replicas (${REPLICA_COLUMNS}) SELECT $1, $2, now_ms, now_ms, now_ms + $3 FROM (SELECT ${NOW_MS_SQL} AS now_ms) AS clock
       ON CONFLICT (id) DO UPDATE SET relay_address = excluded.relay_address, heartbeat_at_ms = excluded.heartbeat_at_ms,
         expires_at_ms = excluded.expires_at_ms
       RETURNING ${REPLICA_COLUMNS}`,
      [id, relayAddress, ttlMs],
      'replica-register',
    );
    return toReplicaRecord(rows[0]!);
  }

  async removeReplica(db: PostgresExecutor, id: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM replicas WHERE id = $1', [id], 'replica-remove');
    return rowCount !== 0;
  }

  async getReplica(db: PostgresExecutor, id: string): Promise<ReplicaRecord | undefined> {
    const { rows } = await db.query<Parameters<typeof toReplicaRecord>[0]>(`SELECT ${REPLICA_COLUMNS} FROM replicas WHERE id = $1`, [id], 'replica-get');
    return rows[0] === undefined ? undefined : toReplicaRecord(rows[0]);
  }

  async listLiveReplicas(db: PostgresExecutor): Promise<ReplicaRecord[]> {
    const sql = `SELECT ${REPLICA_COLUMNS} FROM replicas WHERE expires_at_ms > ${NOW_MS_SQL} ORDER BY id`;
    const { rows } = await db.query<Parameters<typeof toReplicaRecord>[0]>(sql, [], 'replica-live');
    return rows.map(toReplicaRecord);
  }

  private async lockLease(tx: PostgresExecutor, name: string, mode: 'UPDATE' | 'SHARE'): Promise<{ current: Lease | undefined; nowMs: number }> {
    const { rows } = await tx.query<LeaseRow>(`${LEASE_SELECT} FOR ${mode}`, [name], `lease-lock-${mode}`);
    const row = rows[0];
    const nowMs = row?.now_ms ?? (await tx.query<{ now_ms: number }>(`SELECT ${NOW_MS_SQL} AS now_ms`, [], 'clock')).rows[0]!.now_ms;
    return { current: toLease(row), nowMs };
  }

  private async writeLease(tx: PostgresExecutor, lease: Lease): Promise<void> {
    await tx.query(
      'UPDATE leases SET holder = $2, epoch = $3, expires_at_ms = $4, acquired_at_ms = $5 WHERE name = $1',
      [lease.name, lease.holder, lease.epoch, lease.expiresAtMs, lease.acquiredAtMs],
      'lease-write',
    );
  }
}
