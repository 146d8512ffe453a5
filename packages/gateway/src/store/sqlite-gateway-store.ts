import type { Workspace } from '@shellgate/api';
import { isStorageFullError, quoteValue, toStorageError } from '@shellgate/driver-sdk';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';

import { prepareDatabaseFile, restrictSideFiles } from './database-file.js';
import type { StoreFileSystem } from './database-file.js';
import type { Lease, LeaseFence, ReplicaRecord } from './coordination-store.js';
import { StoreClosedError, StoreUnavailableError } from './errors.js';
import type {
  GatewayStore,
  ListSandboxesOptions,
  ListWorkspacesOptions,
  SandboxFilter,
  SandboxRecord,
} from './gateway-store.js';
import { STORE_MIGRATIONS, runMigrations } from './migrations.js';
import type { Migration } from './migrations.js';
import { SqliteCoordinationTable } from './sqlite-coordination-table.js';
import { SqliteSandboxTable } from './sqlite-sandbox-table.js';
import { SqliteWorkspaceTable } from './sqlite-workspace-table.js';
import type { StoreWriteObserver } from './storage-monitor.js';
import type { StoreChangeListener } from './store-change-feed.js';

/** Where the store reads the time (created_at_ms, migration timestamps). */
export interface StoreClock {
  nowMs(): number;
}

const SYSTEM_CLOCK: StoreClock = { nowMs: () => Date.now() };

export interface SqliteStoreOptions {
  /** Database file; created 0600 (its directory 0700 if missing). `:memory:` for tests. */
  path: string;
  clock?: StoreClock | undefined;
  fs?: StoreFileSystem | undefined;
  /** How long a write waits for another connection's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number | undefined;
  /**
   * `normal` (default): in WAL mode a commit is a write to the WAL without fsync, so it
   * survives a crash or `kill -9` of the gateway (the OS still holds the pages; durability.test.ts
   * pins it), but the last commits may roll back after power loss or a kernel crash, leaving the
   * file consistent (https://www.sqlite.org/pragma.html#pragma_synchronous). Then a create
   * acknowledged just before the outage can be missing (its backend sandbox is unknown to the
   * gateway) and a delete can reappear; status is rebuilt from the driver's watch anyway.
   * `full` fsyncs every commit, which survives power loss too, but blocks the event loop for
   * 0.4 ms per write at the median and several ms at p99 (ext4), three writes per create: the
   * largest item in the gateway's CPU profile under bench/src/gateway-api.ts.
   */
  synchronous?: 'full' | 'normal' | undefined;
  /** Schema steps; tests override it, production uses the built-in history. */
  migrations?: readonly Migration[] | undefined;
  /** Told about every write that succeeds and every one that finds the disk full. */
  writeObserver?: StoreWriteObserver | undefined;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** The tables of one open database, shared by the store and its fenced views. */
interface SqliteTables {
  readonly sandboxes: SqliteSandboxTable;
  readonly workspaces: SqliteWorkspaceTable;
  readonly coordination: SqliteCoordinationTable;
}

/**
 * {@link GatewayStore} on one SQLite file through better-sqlite3 (synchronous, in-process).
 * One gateway writes the file, so the change feed stays silent and leases always go to it.
 */
export class SqliteGatewayStore implements GatewayStore {
  private readonly sandboxes: SqliteSandboxTable;
  private readonly workspaces: SqliteWorkspaceTable;
  private readonly coordination: SqliteCoordinationTable;

  /** @internal Use {@link openSqliteStore}, which prepares the file and migrates first. */
  constructor(
    private readonly db: SqliteDatabase,
    readonly path: string,
    readonly schemaVersion: number,
    private readonly clock: StoreClock,
    private readonly fs: StoreFileSystem | undefined,
    private readonly writeObserver: StoreWriteObserver | undefined,
    tables?: SqliteTables,
    private readonly fence?: LeaseFence,
  ) {
    this.sandboxes = tables?.sandboxes ?? new SqliteSandboxTable(db);
    this.workspaces = tables?.workspaces ?? new SqliteWorkspaceTable(db);
    this.coordination = tables?.coordination ?? new SqliteCoordinationTable(db);
  }

  async createSandbox(record: SandboxRecord): Promise<SandboxRecord> {
    return this.write(`store sandbox ${quoteValue(record.sandbox.metadata?.name ?? '')}`, () => this.sandboxes.insert(record, this.clock.nowMs()));
  }

  async getSandbox(id: string): Promise<SandboxRecord | undefined> {
    return this.open().sandboxes.get(id);
  }

  async findSandboxByName(workspace: string, name: string): Promise<SandboxRecord | undefined> {
    return this.open().sandboxes.findByName(workspace, name);
  }

  async listSandboxes(options: ListSandboxesOptions = {}): Promise<SandboxRecord[]> {
    return this.open().sandboxes.list(options);
  }

  async countSandboxes(filter: SandboxFilter = {}): Promise<number> {
    return this.open().sandboxes.count(filter);
  }

  async updateSandbox(id: string, expectedVersion: number, next: SandboxRecord): Promise<SandboxRecord> {
    return this.write(`save a change to sandbox ${quoteValue(id)}`, () => this.sandboxes.update(id, expectedVersion, next));
  }

  async deleteSandbox(id: string, expectedVersion?: number): Promise<boolean> {
    return this.write(`delete sandbox ${quoteValue(id)}`, () => this.sandboxes.delete(id, expectedVersion));
  }

  async createWorkspace(name: string, labels: Readonly<Record<string, string>> = {}): Promise<Workspace> {
    return this.write(`store workspace ${quoteValue(name)}`, () => this.workspaces.insert(name, labels, this.clock.nowMs()));
  }

  async getWorkspace(name: string): Promise<Workspace | undefined> {
    return this.open().workspaces.get(name);
  }

  async listWorkspaces(options: ListWorkspacesOptions = {}): Promise<Workspace[]> {
    return this.open().workspaces.list(options);
  }

  async updateWorkspace(name: string, expectedVersion: number, next: Workspace): Promise<Workspace> {
    return this.write(`save a change to workspace ${quoteValue(name)}`, () => this.workspaces.update(name, expectedVersion, next));
  }

  async deleteWorkspace(name: string, expectedVersion?: number): Promise<boolean> {
    return this.write(`delete workspace ${quoteValue(name)}`, () => this.workspaces.delete(name, expectedVersion));
  }

  subscribeChanges(_listener: StoreChangeListener): () => void {
    return () => undefined;
  }

  withFence(fence: LeaseFence): GatewayStore {
    const tables = { sandboxes: this.sandboxes, workspaces: this.workspaces, coordination: this.coordination };
    return new SqliteGatewayStore(this.db, this.path, this.schemaVersion, this.clock, this.fs, this.writeObserver, tables, fence);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease> {
    return this.open().coordination.acquireLease(name, holder, ttlMs, this.clock.nowMs());
  }

  async renewLease(fence: LeaseFence, ttlMs: number): Promise<Lease> {
    return this.open().coordination.renewLease(fence, ttlMs, this.clock.nowMs());
  }

  async releaseLease(fence: LeaseFence): Promise<boolean> {
    return this.open().coordination.releaseLease(fence, this.clock.nowMs());
  }

  async getLease(name: string): Promise<Lease | undefined> {
    return this.open().coordination.getLease(name);
  }

  async registerReplica(id: string, relayAddress: string, ttlMs: number): Promise<ReplicaRecord> {
    return this.open().coordination.registerReplica(id, relayAddress, ttlMs, this.clock.nowMs());
  }

  async removeReplica(id: string): Promise<boolean> {
    return this.open().coordination.removeReplica(id);
  }

  async getReplica(id: string): Promise<ReplicaRecord | undefined> {
    return this.open().coordination.getReplica(id);
  }

  async listLiveReplicas(): Promise<ReplicaRecord[]> {
    return this.open().coordination.listLiveReplicas(this.clock.nowMs());
  }

  async close(): Promise<void> {
    // A fenced view borrows the database; only the store that opened it closes it.
    if (this.fence !== undefined || !this.db.open) return;
    this.db.close();
    // Closing the last connection checkpoints and removes the WAL; re-tighten anything left.
    restrictSideFiles(this.path, this.fs);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private open(): this {
    if (!this.db.open) throw new StoreClosedError(this.path);
    return this;
  }

  /**
   * Runs one write transaction. A full disk becomes a StorageFullError naming the database
   * (SQLite rolls the transaction back, so nothing stored is damaged) and is reported to the
   * observer, as is every success.
   */
  private write<T>(operation: string, run: () => T): T {
    this.open();
    let result: T;
    const fence = this.fence;
    try {
      // The check and the write share one transaction (the table's own becomes a savepoint).
      result = fence === undefined ? run() : this.db.transaction(() => {
        this.coordination.checkFence(fence, this.clock.nowMs());
        return run();
      }).immediate();
    } catch (error) {
      const mapped = toStorageError(error, this.path, operation);
      if (isStorageFullError(mapped)) this.writeObserver?.onStorageFull(mapped);
      throw mapped;
    }
    this.writeObserver?.onWriteSucceeded();
    return result;
  }
}

function openDatabase(options: SqliteStoreOptions): SqliteDatabase {
  try {
    prepareDatabaseFile(options.path, options.fs);
    const db = new Database(options.path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    try {
      // WAL lets readers run while a write commits; foreign keys are off by default in SQLite.
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  } catch (error) {
    throw new StoreUnavailableError(options.path, error);
  }
}

/**
 * Opens (creating if needed) the SQLite store at `options.path`: WAL mode, busy timeout,
 * foreign keys on, migrations applied. Async like every store opener (a networked store must
 * connect), although SQLite does its work synchronously.
 * @throws StoreSchemaTooNewError when a newer gateway wrote the file; StoreUnavailableError
 * when the file cannot be created or opened.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteGatewayStore> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const db = openDatabase(options);
  try {
    const schemaVersion = runMigrations(db, options.path, clock.nowMs(), options.migrations ?? STORE_MIGRATIONS);
    restrictSideFiles(options.path, options.fs);
    return new SqliteGatewayStore(db, options.path, schemaVersion, clock, options.fs, options.writeObserver);
  } catch (error) {
    db.close();
    throw error;
  }
}
