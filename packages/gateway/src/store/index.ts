/**
 * Durable gateway state. `GatewayStore` is the interface the rest of the gateway uses;
 * `openSqliteStore` gives the embedded SQLite implementation, `openPostgresStore` the one
 * several gateway replicas share (with a change feed, leases and a replica registry).
 *
 * ```ts
 * const store = await openSqliteStore({ path: join(stateDir, 'gateway.db') });
 * const record = await store.createSandbox({ sandbox, driver: 'docker', desiredState: DesiredState.Running, missingSinceMs: undefined });
 * await updateSandboxWithRetry(store, record.sandbox.metadata!.id, (current) => ({ ...current, desiredState: DesiredState.Stopped }));
 * ```
 */
export type { CoordinationStore, Lease, LeaseFence, ReplicaRecord } from './coordination-store.js';
export type { StoreFileSystem } from './database-file.js';
export {
  DefaultWorkspaceDeletionError,
  InvalidStoreRecordError,
  LeaseLostError,
  SandboxIdTakenError,
  SandboxNameTakenError,
  SandboxRecordNotFoundError,
  StoreClosedError,
  StoreSchemaTooNewError,
  StoreUnavailableError,
  VersionConflictError,
  WorkspaceAlreadyExistsError,
  WorkspaceNotEmptyError,
  WorkspaceNotFoundError,
  isLeaseLostError,
  isVersionConflictError,
} from './errors.js';
export type { StoreObjectKind } from './errors.js';
export { DEFAULT_WORKSPACE, DesiredState } from './gateway-store.js';
export type {
  GatewayStore,
  ListSandboxesOptions,
  ListWorkspacesOptions,
  PageOptions,
  SandboxFilter,
  SandboxRecord,
} from './gateway-store.js';
export { POSTGRES_SSL_MODES, POSTGRES_SYNCHRONOUS_COMMITS, PostgresSslMode, redactDatabaseUrl } from './postgres-connection.js';
export type { PostgresConnectionOptions, PostgresSynchronousCommit } from './postgres-connection.js';
export { PostgresGatewayStore, openPostgresStore } from './postgres-gateway-store.js';
export type { PostgresStoreOptions } from './postgres-gateway-store.js';
export { SqliteGatewayStore, openSqliteStore } from './sqlite-gateway-store.js';
export type { SqliteStoreOptions, StoreClock } from './sqlite-gateway-store.js';
export type { StoreChange, StoreChangeFeed, StoreChangeListener } from './store-change-feed.js';
export { StorageMonitor } from './storage-monitor.js';
export type { StatfsFn, StorageMonitorOptions, StoreWriteObserver } from './storage-monitor.js';
export { DEFAULT_UPDATE_ATTEMPTS, updateSandboxWithRetry } from './update-sandbox-with-retry.js';
export type { UpdateSandboxOptions } from './update-sandbox-with-retry.js';
