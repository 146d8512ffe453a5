import { ErrorCode, ShellgateError, isShellgateError } from '@shellgate/driver-sdk';

/** What a compare-and-set write was aimed at; names the object in messages. */
export type StoreObjectKind = 'sandbox' | 'workspace';

/**
 * A compare-and-set write lost: the stored resource_version is not the one the caller read.
 * ABORTED, as in Kubernetes/etcd, because re-reading and retrying is the expected fix.
 */
export class VersionConflictError extends ShellgateError {
  readonly kind: StoreObjectKind;
  readonly objectId: string;
  readonly expectedVersion: number;
  readonly actualVersion: number;

  constructor(kind: StoreObjectKind, objectId: string, expectedVersion: number, actualVersion: number) {
    super(
      ErrorCode.Aborted,
      `${kind} ${JSON.stringify(objectId)} was modified concurrently: expected resource_version ${expectedVersion}, found ${actualVersion}`,
      { hint: 're-read the object and retry the change', details: { kind, objectId, expectedVersion, actualVersion } },
    );
    this.name = 'VersionConflictError';
    this.kind = kind;
    this.objectId = objectId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** True for a {@link VersionConflictError}, even from another loaded copy of this module. */
export function isVersionConflictError(error: unknown): error is VersionConflictError {
  return isShellgateError(error) && error.name === 'VersionConflictError' && error.code === ErrorCode.Aborted;
}

/** No stored sandbox has this id. */
export class SandboxRecordNotFoundError extends ShellgateError {
  readonly sandboxId: string;
  constructor(sandboxId: string) {
    super(ErrorCode.NotFound, `sandbox ${JSON.stringify(sandboxId)} not found`, {
      hint: 'list sandboxes to see which ids exist; it may have been deleted',
      details: { sandboxId },
    });
    this.name = 'SandboxRecordNotFoundError';
    this.sandboxId = sandboxId;
  }
}

/** Sandbox names are unique within a workspace; another sandbox already has this one. */
export class SandboxNameTakenError extends ShellgateError {
  constructor(workspace: string, name: string) {
    super(ErrorCode.AlreadyExists, `sandbox ${JSON.stringify(name)} already exists in workspace ${JSON.stringify(workspace)}`, {
      hint: 'choose another name, delete the existing sandbox first, or leave the name empty to get a generated one',
      details: { workspace, name },
    });
    this.name = 'SandboxNameTakenError';
  }
}

/** Another sandbox already has this id; creates never overwrite. */
export class SandboxIdTakenError extends ShellgateError {
  constructor(sandboxId: string) {
    super(ErrorCode.AlreadyExists, `sandbox id ${JSON.stringify(sandboxId)} is already in use`, {
      hint: 'generate a fresh id for the new sandbox',
      details: { sandboxId },
    });
    this.name = 'SandboxIdTakenError';
  }
}

export class WorkspaceAlreadyExistsError extends ShellgateError {
  constructor(workspace: string) {
    super(ErrorCode.AlreadyExists, `workspace ${JSON.stringify(workspace)} already exists`, {
      hint: 'use the existing workspace or choose another name',
      details: { workspace },
    });
    this.name = 'WorkspaceAlreadyExistsError';
  }
}

export class WorkspaceNotFoundError extends ShellgateError {
  constructor(workspace: string) {
    super(ErrorCode.NotFound, `workspace ${JSON.stringify(workspace)} not found`, {
      hint: `create it first (shellgate workspace create ${workspace}) or use the "default" workspace`,
      details: { workspace },
    });
    this.name = 'WorkspaceNotFoundError';
  }
}

/** A workspace still holding sandboxes cannot be deleted; the rows would be orphaned. */
export class WorkspaceNotEmptyError extends ShellgateError {
  constructor(workspace: string, sandboxCount: number) {
    super(ErrorCode.FailedPrecondition, `workspace ${JSON.stringify(workspace)} still has ${sandboxCount} sandbox(es)`, {
      hint: `delete its sandboxes first (shellgate sandbox list --workspace ${workspace})`,
      details: { workspace, sandboxCount },
    });
    this.name = 'WorkspaceNotEmptyError';
  }
}

/** The default workspace always exists, so it cannot be deleted. */
export class DefaultWorkspaceDeletionError extends ShellgateError {
  constructor(workspace: string) {
    super(ErrorCode.FailedPrecondition, `workspace ${JSON.stringify(workspace)} is the default workspace and cannot be deleted`, {
      hint: 'delete the sandboxes in it instead',
      details: { workspace },
    });
    this.name = 'DefaultWorkspaceDeletionError';
  }
}

/** A record handed to the store is missing a field the store keys on, or changes its identity. */
export class InvalidStoreRecordError extends ShellgateError {
  constructor(kind: StoreObjectKind, reason: string) {
    super(ErrorCode.InvalidArgument, `invalid ${kind} record: ${reason}`, { details: { kind } });
    this.name = 'InvalidStoreRecordError';
  }
}

/** The database was written by a newer gateway; opening it with this one could corrupt it. */
export class StoreSchemaTooNewError extends ShellgateError {
  readonly databaseVersion: number;
  readonly supportedVersion: number;

  constructor(path: string, databaseVersion: number, supportedVersion: number) {
    super(
      ErrorCode.FailedPrecondition,
      `store ${path} has schema version ${databaseVersion}, but this gateway only knows schema versions up to ${supportedVersion}`,
      {
        hint: `upgrade the gateway to a release that supports schema version ${databaseVersion}; schema downgrades are not supported`,
        details: { path, databaseVersion, supportedVersion },
      },
    );
    this.name = 'StoreSchemaTooNewError';
    this.databaseVersion = databaseVersion;
    this.supportedVersion = supportedVersion;
  }
}

/**
 * The database could not be opened or reached: a SQLite file (permissions, disk, locking) or a
 * Postgres server (down, refused, bad credentials). `path` is the file or the redacted URL.
 */
export class StoreUnavailableError extends ShellgateError {
  constructor(path: string, cause: unknown, hint = 'check that the state directory exists, is writable by the gateway user, and is on a local disk', action = 'open') {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(ErrorCode.Unavailable, `cannot ${action} store ${path}: ${reason}`, {
      hint,
      details: { path },
      cause,
    });
    this.name = 'StoreUnavailableError';
  }
}

/** The store was closed (gateway shutting down); no more reads or writes. */
export class StoreClosedError extends ShellgateError {
  constructor(path: string) {
    super(ErrorCode.Unavailable, `store ${path} is closed`, {
      hint: 'the gateway is shutting down; retry against the restarted gateway',
      details: { path },
    });
    this.name = 'StoreClosedError';
  }
}

/**
 * A write or renewal under a lease the caller no longer holds: it expired, was released, or
 * another replica took it (the epoch moved on). FAILED_PRECONDITION: retrying cannot help,
 * the caller must stop acting as leader.
 */
export class LeaseLostError extends ShellgateError {
  readonly leaseName: string;
  readonly holder: string;
  readonly epoch: number;

  constructor(leaseName: string, holder: string, epoch: number, current: { holder: string; epoch: number } | undefined) {
    const now = current === undefined ? 'it is not held' : `it is held by ${JSON.stringify(current.holder)} at epoch ${current.epoch} or expired`;
    super(ErrorCode.FailedPrecondition, `lease ${JSON.stringify(leaseName)} is no longer held by ${JSON.stringify(holder)} at epoch ${epoch}: ${now}`, {
      hint: 'this replica is not the leader any more; stop leader-only work and try to acquire the lease again',
      details: { leaseName, holder, epoch },
    });
    this.name = 'LeaseLostError';
    this.leaseName = leaseName;
    this.holder = holder;
    this.epoch = epoch;
  }
}

/** True for a {@link LeaseLostError}, even from another loaded copy of this module. */
export function isLeaseLostError(error: unknown): error is LeaseLostError {
  return isShellgateError(error) && error.name === 'LeaseLostError';
}
