import type { Sandbox, Workspace } from '@shellgate/api';

import type { LabelSelector } from '../labels/index.js';
import type { CoordinationStore, LeaseFence } from './coordination-store.js';
import type { StoreChangeFeed } from './store-change-feed.js';

/** What the operator asked a sandbox to be; the reconciler drives the backend towards it. */
export const DesiredState = {
  Running: 'running',
  Stopped: 'stopped',
} as const;
export type DesiredState = (typeof DesiredState)[keyof typeof DesiredState];

/**
 * The workspace every gateway has. Stores create it with their first schema migration, so it
 * exists before anyone creates it (getWorkspace('default') always answers), it is a real row
 * that can carry labels and sandboxes like any other, and it can never be deleted.
 */
export const DEFAULT_WORKSPACE = 'default';

/** One stored sandbox: the public object plus the gateway's own bookkeeping. */
export interface SandboxRecord {
  /** The full `openshell.v1` object; `metadata.resource_version` is owned by the store. */
  sandbox: Sandbox;
  /** Name of the compute driver that owns the sandbox. */
  driver: string;
  desiredState: DesiredState;
  /** Epoch ms when the driver's list first lacked this sandbox; undefined while it is listed. */
  missingSinceMs: number | undefined;
}

/** Which sandboxes a list or count covers; every field narrows, undefined means "any". */
export interface SandboxFilter {
  /** Undefined lists every workspace. */
  workspace?: string | undefined;
  driver?: string | undefined;
  labelSelector?: LabelSelector | undefined;
}

/** Paging: `limit` undefined or ≤ 0 means no limit; `offset` counts matching rows skipped. */
export interface PageOptions {
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface ListSandboxesOptions extends SandboxFilter, PageOptions {}

export interface ListWorkspacesOptions extends PageOptions {
  labelSelector?: LabelSelector | undefined;
}

/**
 * Durable gateway state: sandboxes and workspaces, every write compare-and-set on
 * `metadata.resource_version` (1 on create, +1 per update). Methods are async so a networked
 * implementation (Postgres, for several gateway replicas) can fill the same interface.
 * Objects returned are copies: mutating them never changes the store. Replicas sharing a
 * store learn each other's writes through {@link StoreChangeFeed} and coordinate through
 * {@link CoordinationStore}.
 */
export interface GatewayStore extends AsyncDisposable, StoreChangeFeed, CoordinationStore {
  /**
   * Stores a new sandbox at resource_version 1 (created_at_ms filled from the clock when 0).
   * @throws SandboxNameTakenError / SandboxIdTakenError (ALREADY_EXISTS), WorkspaceNotFoundError.
   */
  createSandbox(record: SandboxRecord): Promise<SandboxRecord>;
  getSandbox(id: string): Promise<SandboxRecord | undefined>;
  findSandboxByName(workspace: string, name: string): Promise<SandboxRecord | undefined>;
  /** Matching sandboxes ordered by workspace, then name. */
  listSandboxes(options?: ListSandboxesOptions): Promise<SandboxRecord[]>;
  countSandboxes(filter?: SandboxFilter): Promise<number>;
  /**
   * Replaces the sandbox if its stored resource_version equals `expectedVersion`; returns the
   * stored record with the version bumped by one.
   * @throws VersionConflictError (ABORTED), SandboxRecordNotFoundError (NOT_FOUND).
   */
  updateSandbox(id: string, expectedVersion: number, next: SandboxRecord): Promise<SandboxRecord>;
  /**
   * Deletes the sandbox; false when it did not exist.
   * @throws VersionConflictError when `expectedVersion` is given and differs.
   */
  deleteSandbox(id: string, expectedVersion?: number): Promise<boolean>;

  /** @throws WorkspaceAlreadyExistsError (ALREADY_EXISTS). */
  createWorkspace(name: string, labels?: Readonly<Record<string, string>>): Promise<Workspace>;
  getWorkspace(name: string): Promise<Workspace | undefined>;
  /** Matching workspaces ordered by name; includes the default workspace. */
  listWorkspaces(options?: ListWorkspacesOptions): Promise<Workspace[]>;
  /** Compare-and-set like {@link updateSandbox}; the name cannot change. */
  updateWorkspace(name: string, expectedVersion: number, next: Workspace): Promise<Workspace>;
  /**
   * Deletes an empty workspace; false when it did not exist.
   * @throws WorkspaceNotEmptyError, DefaultWorkspaceDeletionError (FAILED_PRECONDITION).
   */
  deleteWorkspace(name: string, expectedVersion?: number): Promise<boolean>;

  /**
   * The same store, but every sandbox and workspace write first checks, in its own
   * transaction, that `fence` still holds its lease (same holder and epoch, not expired), and
   * fails with LeaseLostError (FAILED_PRECONDITION) otherwise: a leader paused past its lease
   * cannot write after another replica took over. Reads are unchanged. The view owns nothing;
   * closing it does nothing.
   */
  withFence(fence: LeaseFence): GatewayStore;

  /** Releases the database; idempotent. */
  close(): Promise<void>;
}
