import { ErrorCode, ShellgateError } from '../errors.js';
import type { ShellgateErrorOptions } from '../errors.js';

/** The socket path itself is unusable: relative, or too long for `sun_path`. */
export class SocketPathError extends ShellgateError {
  readonly socketPath: string;
  constructor(socketPath: string, reason: string, options: ShellgateErrorOptions = {}) {
    super(ErrorCode.InvalidArgument, `socket path ${JSON.stringify(socketPath)} ${reason}`, {
      ...options,
      details: { socketPath, ...options.details },
    });
    this.name = 'SocketPathError';
    this.socketPath = socketPath;
  }
}

/**
 * Serving on this path would let someone else read or hijack the driver's socket: a symlink,
 * a directory another user owns, or one that others can enter.
 */
export class UnsafeSocketPathError extends ShellgateError {
  readonly socketPath: string;
  constructor(socketPath: string, reason: string, options: ShellgateErrorOptions = {}) {
    super(ErrorCode.FailedPrecondition, `refusing to serve on ${JSON.stringify(socketPath)}: ${reason}`, {
      ...options,
      details: { socketPath, ...options.details },
    });
    this.name = 'UnsafeSocketPathError';
    this.socketPath = socketPath;
  }
}

/** A live process already answers on the socket; we never take a socket from it. */
export class SocketInUseError extends ShellgateError {
  readonly socketPath: string;
  constructor(socketPath: string) {
    super(
      ErrorCode.FailedPrecondition,
      `a live driver is already serving on ${JSON.stringify(socketPath)}; refusing to replace it`,
      {
        hint: 'stop the other driver first, or pass a different --bind-socket path',
        details: { socketPath },
      },
    );
    this.name = 'SocketInUseError';
    this.socketPath = socketPath;
  }
}

/** The server could not listen on the prepared socket path. */
export class SocketListenError extends ShellgateError {
  readonly socketPath: string;
  constructor(socketPath: string, cause: unknown) {
    super(ErrorCode.FailedPrecondition, `cannot listen on ${JSON.stringify(socketPath)}: ${describeCause(cause)}`, {
      hint: 'check that the directory is writable by the driver user and the path is not in use',
      details: { socketPath },
      cause,
    });
    this.name = 'SocketListenError';
    this.socketPath = socketPath;
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
