import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';

import type { Lease, LeaseFence, ReplicaRecord } from './coordination-store.js';
import { checkLeaseFence, decideLeaseAcquire, isLeaseHeld } from './lease-decision.js';

type Params = Record<string, unknown>;

interface LeaseRow {
  name: string;
  holder: string;
  epoch: number;
  expires_at_ms: number;
  acquired_at_ms: number;
}

interface ReplicaRow {
  id: string;
  relay_address: string;
  started_at_ms: number;
  heartbeat_at_ms: number;
  expires_at_ms: number;
}

function decodeLeaseRow(row: LeaseRow): Lease {
  return { name: row.name, holder: row.holder, epoch: row.epoch, expiresAtMs: row.expires_at_ms, acquiredAtMs: row.acquired_at_ms };
}

function decodeReplicaRow(row: ReplicaRow): ReplicaRecord {
  return {
    id: row.id,
    relayAddress: row.relay_address,
    startedAtMs: row.started_at_ms,
    heartbeatAtMs: row.heartbeat_at_ms,
    expiresAtMs: row.expires_at_ms,
  };
}

/** Leases and the replica registry in SQLite: one gateway, so it always wins, but the rules are the shared ones. */
export class SqliteCoordinationTable {
  private readonly selectLease: Statement<[Params], LeaseRow>;
  private readonly upsertLease: Statement<[Params], unknown>;
  private readonly upsertReplica: Statement<[Params], unknown>;
  private readonly selectReplica: Statement<[Params], ReplicaRow>;
  private readonly selectLiveReplicas: Statement<[Params], ReplicaRow>;
  private readonly deleteReplica: Statement<[Params], unknown>;

  constructor(private readonly db: SqliteDatabase) {
    this.selectLease = db.prepare('SELECT name, holder, epoch, expires_at_ms, acquired_at_ms FROM leases WHERE name = @name');
    this.upsertLease = db.prepare(`INSERT INTO leases (name, holder, epoch, expires_at_ms, acquired_at_ms)
      VALUES (@name, @holder, @epoch, @expiresAtMs, @acquiredAtMs)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = excluded.epoch,
        expires_at_ms = excluded.expires_at_ms, acquired_at_ms = excluded.acquired_at_ms`);
    this.upsertReplica = db.prepare(`INSERT INTO replicas (id, relay_address, started_at_ms, heartbeat_at_ms, expires_at_ms)
      VALUES (@id, @relayAddress, @nowMs, @nowMs, @expiresAtMs)
      ON CONFLICT (id) DO UPDATE SET relay_address = excluded.relay_address, heartbeat_at_ms = excluded.heartbeat_at_ms,
        expires_at_ms = excluded.expires_at_ms`);
    const replicaColumns = 'id, relay_address, started_at_ms, heartbeat_at_ms, expires_at_ms';
    this.selectReplica = db.prepare(`SELECT ${replicaColumns} FROM replicas WHERE id = @id`);
    this.selectLiveReplicas = db.prepare(`SELECT ${replicaColumns} FROM replicas WHERE expires_at_ms > @nowMs ORDER BY id`);
    this.deleteReplica = db.prepare('DELETE FROM replicas WHERE id = @id');
  }

  getLease(name: string): Lease | undefined {
    const row = this.selectLease.get({ name });
    return row === undefined ? undefined : decodeLeaseRow(row);
  }

  acquireLease(name: string, holder: string, ttlMs: number, nowMs: number): Lease {
    return this.db.transaction(() => {
      const current = this.getLease(name);
      const next = decideLeaseAcquire(current, name, holder, nowMs, ttlMs);
      if (next === undefined) return current!;
      this.upsertLease.run({ ...next });
      return next;
    }).immediate();
  }

  renewLease(fence: LeaseFence, ttlMs: number, nowMs: number): Lease {
    return this.db.transaction(() => {
      const current = this.getLease(fence.name);
      checkLeaseFence(current, fence, nowMs);
      const next = { ...current, expiresAtMs: nowMs + ttlMs };
      this.upsertLease.run({ ...next });
      return next;
    }).immediate();
  }

  /** A released lease keeps its row (and epoch), expired as of now. */
  releaseLease(fence: LeaseFence, nowMs: number): boolean {
    return this.db.transaction(() => {
      const current = this.getLease(fence.name);
      if (!isLeaseHeld(current, fence, nowMs)) return false;
      this.upsertLease.run({ ...current, expiresAtMs: nowMs });
      return true;
    }).immediate();
  }

  /** Throws LeaseLostError unless `fence` holds its lease; call inside the write's transaction. */
  checkFence(fence: LeaseFence, nowMs: number): void {
    checkLeaseFence(this.getLease(fence.name), fence, nowMs);
  }

  registerReplica(id: string, relayAddress: string, ttlMs: number, nowMs: number): ReplicaRecord {
    this.upsertReplica.run({ id, relayAddress, nowMs, expiresAtMs: nowMs + ttlMs });
    return decodeReplicaRow(this.selectReplica.get({ id })!);
  }

  removeReplica(id: string): boolean {
    return this.deleteReplica.run({ id }).changes > 0;
  }

  getReplica(id: string): ReplicaRecord | undefined {
    const row = this.selectReplica.get({ id });
    return row === undefined ? undefined : decodeReplicaRow(row);
  }

  listLiveReplicas(nowMs: number): ReplicaRecord[] {
    return this.selectLiveReplicas.all({ nowMs }).map(decodeReplicaRow);
  }
}
