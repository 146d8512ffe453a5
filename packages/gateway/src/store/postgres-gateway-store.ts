import { randomUUID } from 'node:crypto';
import type { Workspace } from '@shellgate/api';
import { isShellgateError, silentLogger } from '@shellgate/driver-sdk';
import type { Logger } from '@shellgate/driver-sdk';
import pg from 'pg';
import type { Pool } from 'pg';

import type { Lease, LeaseFence, ReplicaRecord } from './coordination-store.js';
import { StoreClosedError, StoreUnavailableError } from './errors.js';
import type { GatewayStore, ListSandboxesOptions, ListWorkspacesOptions, SandboxFilter, SandboxRecord } from './gateway-store.js';
import { PostgresChangeListener } from './postgres-change-listener.js';
import { redactDatabaseUrl, toPoolConfig } from './postgres-connection.js';
import type { PostgresConnectionOptions } from './postgres-connection.js';
import { PostgresCoordinationTable } from './postgres-coordination-table.js';
import { toPostgresStoreError } from './postgres-error.js';
import { PostgresExecutor } from './postgres-executor.js';
import { POSTGRES_MIGRATIONS, runPostgresMigrations } from './postgres-migrations.js';
import type { PostgresMigration } from './postgres-migrations.js';
import { PostgresSandboxTable } from './postgres-sandbox-table.js';
import { PostgresWorkspaceTable } from './postgres-workspace-table.js';
import type { StoreClock } from './sqlite-gateway-store.js';
import type { StoreChange, StoreChangeListener } from './store-change-feed.js';

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /** created_at_ms of new records; leases and heartbeats use the database's clock instead. */
  clock?: StoreClock | undefined;
  /** Schema steps; tests override it, production uses the built-in history. */
  migrations?: readonly PostgresMigration[] | undefined;
  /** Where the change listener reports losing and regaining its connection. */
  logger?: Logger | undefined;
}

/** What every store instance opened on one database shares (fenced views borrow it). */
interface PostgresShared {
  readonly pool: Pool;
  readonly target: string;
  readonly sandboxes: PostgresSandboxTable;
  readonly workspaces: PostgresWorkspaceTable;
  readonly coordination: PostgresCoordinationTable;
  readonly feed: PostgresChangeFeed;
  isClosed: boolean;
  /** The failure of the last call when it could not reach the database; cleared by the next success. */
  problem: StoreUnavailableError | undefined;
}

/** Fans the one listener's changes out to subscribers; the listener starts with the first one. */
class PostgresChangeFeed {
  private readonly subscribers = new Set<StoreChangeListener>();
  private listener: PostgresChangeListener | undefined;

  constructor(private readonly createListener: (deliver: StoreChangeListener) => PostgresChangeListener) {}

  subscribe(subscriber: StoreChangeListener): () => void {
    this.subscribers.add(subscriber);
    if (this.listener === undefined) {
      this.listener = this.createListener((change) => this.deliver(change));
      void this.listener.start();
    }
    return () => this.subscribers.delete(subscriber);
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  private deliver(change: StoreChange): void {
    for (const subscriber of this.subscribers) subscriber(change);
  }
}

const SYSTEM_CLOCK: StoreClock = { nowMs: () => Date.now() };

/**
 * {@link GatewayStore} on Postgres through a pg pool, for several gateway replicas sharing
 * one database. Every write is compare-and-set in SQL and notifies the other replicas
 * (LISTEN/NOTIFY) in the same transaction. A database that cannot be reached makes calls fail
 * with StoreUnavailableError (UNAVAILABLE) naming the redacted URL; the pool reconnects on the
 * next call.
 */
export class PostgresGatewayStore implements GatewayStore {
  /** @internal Use {@link openPostgresStore}, which connects and migrates first. */
  constructor(
    private readonly shared: PostgresShared,
    readonly schemaVersion: number,
    private readonly clock: StoreClock,
    private readonly fence?: LeaseFence,
  ) {}

  /** The URL with its password masked. */
  get target(): string {
    return this.shared.target;
  }

  /**
   * Why the database cannot be used, when the last call found it unreachable; undefined once
   * a call succeeds again. Health answers DEGRADED while it is set.
   */
  get problem(): StoreUnavailableError | undefined {
    return this.shared.problem;
  }

  async createSandbox(record: SandboxRecord): Promise<SandboxRecord> {
    return this.write('store a sandbox in', (db) => this.shared.sandboxes.insert(db, record, this.clock.nowMs()));
  }

  async getSandbox(id: string): Promise<SandboxRecord | undefined> {
    return this.read((db) => this.shared.sandboxes.get(db, id));
  }

  async findSandboxByName(workspace: string, name: string): Promise<SandboxRecord | undefined> {
    return this.read((db) => this.shared.sandboxes.findByName(db, workspace, name));
  }

  async listSandboxes(options: ListSandboxesOptions = {}): Promise<SandboxRecord[]> {
    return this.read((db) => this.shared.sandboxes.list(db, options));
  }

  async countSandboxes(filter: SandboxFilter = {}): Promise<number> {
    return this.read((db) => this.shared.sandboxes.count(db, filter));
  }

  async updateSandbox(id: string, expectedVersion: number, next: SandboxRecord): Promise<SandboxRecord> {
    // Fenced or not, one statement: the leader's status reports are its most frequent write.
    const guard = this.fence === undefined ? undefined : { fence: this.fence, coordination: this.shared.coordination };
    return this.read((db) => this.shared.sandboxes.update(db, id, expectedVersion, next, guard), 'save a sandbox change in');
  }

  async deleteSandbox(id: string, expectedVersion?: number): Promise<boolean> {
    return this.write('delete a sandbox from', (db) => this.shared.sandboxes.delete(db, id, expectedVersion));
  }

  async createWorkspace(name: string, labels: Readonly<Record<string, string>> = {}): Promise<Workspace> {
    return this.write('store a workspace in', (db) => this.shared.workspaces.insert(db, name, labels, this.clock.nowMs()));
  }

  async getWorkspace(name: string): Promise<Workspace | undefined> {
    return this.read((db) => this.shared.workspaces.get(db, name));
  }

  async listWorkspaces(options: ListWorkspacesOptions = {}): Promise<Workspace[]> {
    return this.read((db) => this.shared.workspaces.list(db, options));
  }

  async updateWorkspace(name: string, expectedVersion: number, next: Workspace): Promise<Workspace> {
    return this.write('save a workspace change in', (db) => this.shared.workspaces.update(db, name, expectedVersion, next));
  }

  async deleteWorkspace(name: string, expectedVersion?: number): Promise<boolean> {
    return this.write('delete a workspace from', (db) => this.shared.workspaces.delete(db, name, expectedVersion));
  }

  subscribeChanges(listener: StoreChangeListener): () => void {
    return this.shared.feed.subscribe(listener);
  }

  withFence(fence: LeaseFence): GatewayStore {
    return new PostgresGatewayStore(this.shared, this.schemaVersion, this.clock, fence);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease> {
    return this.read((db) => this.shared.coordination.acquireLease(db, name, holder, ttlMs), 'take a lease in');
  }

  async renewLease(fence: LeaseFence, ttlMs: number): Promise<Lease> {
    return this.read((db) => this.shared.coordination.renewLease(db, fence, ttlMs), 'renew a lease in');
  }

  async releaseLease(fence: LeaseFence): Promise<boolean> {
    return this.read((db) => this.shared.coordination.releaseLease(db, fence), 'release a lease in');
  }

  async getLease(name: string): Promise<Lease | undefined> {
    return this.read((db) => this.shared.coordination.getLease(db, name));
  }

  async registerReplica(id: string, relayAddress: string, ttlMs: number): Promise<ReplicaRecord> {
    return this.read((db) => this.shared.coordination.registerReplica(db, id, relayAddress, ttlMs), 'register a replica in');
  }

  async removeReplica(id: string): Promise<boolean> {
    return this.read((db) => this.shared.coordination.removeReplica(db, id), 'remove a replica from');
  }

  async getReplica(id: string): Promise<ReplicaRecord | undefined> {
    return this.read((db) => this.shared.coordination.getReplica(db, id));
  }

  async listLiveReplicas(): Promise<ReplicaRecord[]> {
    return this.read((db) => this.shared.coordination.listLiveReplicas(db));
  }

  async close(): Promise<void> {
    // A fenced view borrows the pool; only the store that opened it closes it.
    if (this.fence !== undefined || this.shared.isClosed) return;
    this.shared.isClosed = true;
    await this.shared.feed.close();
    await this.shared.pool.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private executor(): PostgresExecutor {
    if (this.shared.isClosed) throw new StoreClosedError(this.shared.target);
    return new PostgresExecutor(this.shared.pool);
  }

  private async read<T>(run: (db: PostgresExecutor) => Promise<T>, action = 'read'): Promise<T> {
    const db = this.executor();
    try {
      const result = await run(db);
      this.shared.problem = undefined;
      return result;
    } catch (error) {
      const mapped = toPostgresStoreError(error, this.shared.target, action);
      // Any answer from the server (a conflict, a constraint) means it is reachable.
      this.shared.problem = mapped instanceof StoreUnavailableError ? mapped : undefined;
      throw mapped;
    }
  }

  /** A write; under a fence, the lease check and the write share one transaction. */
  private async write<T>(action: string, run: (db: PostgresExecutor) => Promise<T>): Promise<T> {
    const fence = this.fence;
    if (fence === undefined) return this.read(run, action);
    return this.read(
      (db) =>
        db.transaction(async (tx) => {
          await this.shared.coordination.checkFence(tx, fence);
          return run(tx);
        }),
      action,
    );
  }
}

/**
 * Connects to Postgres, applies the schema (refusing a newer one) and returns the store.
 * @throws StoreUnavailableError when the server cannot be reached or refuses us (UNAVAILABLE,
 * URL redacted); StoreSchemaTooNewError when a newer gateway migrated the database.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresGatewayStore> {
  const target = redactDatabaseUrl(options.url);
  const clock = options.clock ?? SYSTEM_CLOCK;
  const logger = options.logger ?? silentLogger;
  const config = toPoolConfig(options);
  const pool = new pg.Pool(config);
  // An idle pooled connection that dies (server restart) is replaced on the next query; the
  // event must be handled or it would crash the process.
  pool.on('error', (error: Error) => logger.debug('idle database connection closed', { error: error.message }));
  let schemaVersion: number;
  try {
    const client = await pool.connect();
    try {
      schemaVersion = await runPostgresMigrations(client, target, clock.nowMs(), options.migrations ?? POSTGRES_MIGRATIONS);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw isShellgateError(error) ? error : toOpenError(error, target);
  }
  const origin = randomUUID();
  const sandboxes = new PostgresSandboxTable(origin);
  const feed = new PostgresChangeFeed((deliver) =>
    new PostgresChangeListener(config, origin, (change) => {
      // A sandbox another replica wrote or deleted is dropped from our decoded-object cache.
      if (change.kind === 'sandbox') sandboxes.objects.forget(change.id);
      deliver(change);
    }, logger),
  );
  const shared: PostgresShared = {
    pool,
    target,
    sandboxes,
    workspaces: new PostgresWorkspaceTable(origin),
    coordination: new PostgresCoordinationTable(),
    feed,
    isClosed: false,
    problem: undefined,
  };
  return new PostgresGatewayStore(shared, schemaVersion, clock);
}

/** Every failure to open is UNAVAILABLE; what is not a connection problem is most likely privileges. */
function toOpenError(error: unknown, target: string): unknown {
  const mapped = toPostgresStoreError(error, target, 'open');
  if (mapped !== error) return mapped;
  return new StoreUnavailableError(target, error, 'check that the database user may create tables in the database: the gateway applies its schema on start');
}
