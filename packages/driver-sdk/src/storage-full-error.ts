import { ErrorCode, ShellgateError, isShellgateError } from './errors.js';

/**
 * Failure codes that mean "no room to write": ENOSPC and EDQUOT from Node's fs, SQLITE_FULL
 * from better-sqlite3 (SQLite's unix VFS turns ENOSPC into it). EDQUOT inside SQLite
 * surfaces as SQLITE_IOERR_WRITE, which says nothing about space, so it is not listed.
 */
const NO_SPACE_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A write failed because the filesystem holding `path` is full (or the writer's quota is
 * used up). RESOURCE_EXHAUSTED: retrying only helps once space is freed, which the hint says.
 */
export class StorageFullError extends ShellgateError {
  /** The file or directory whose filesystem is full. */
  readonly path: string;

  constructor(path: string, operation: string, cause: unknown) {
    const code = codeOf(cause) ?? 'ENOSPC';
    super(ErrorCode.ResourceExhausted, `cannot ${operation}: no space left on the filesystem holding ${path} (${code})`, {
      hint: `free space on that filesystem (or raise the quota of the user running it); writes work again as soon as there is room, nothing stored was lost`,
      details: { path, operation, code },
      cause,
    });
    this.name = 'StorageFullError';
    this.path = path;
  }
}

/** True for a {@link StorageFullError}, even from another loaded copy of the SDK. */
export function isStorageFullError(value: unknown): value is StorageFullError {
  return isShellgateError(value) && value.name === 'StorageFullError' && value.code === ErrorCode.ResourceExhausted;
}

/**
 * The one place a write failure that means "out of space" becomes a {@link StorageFullError}
 * naming `path`; any other error is returned unchanged. Callers throw the result.
 */
export function toStorageError(error: unknown, path: string, operation: string): unknown {
  if (isStorageFullError(error)) return error;
  const code = codeOf(error);
  return code !== undefined && NO_SPACE_CODES.has(code) ? new StorageFullError(path, operation, error) : error;
}
