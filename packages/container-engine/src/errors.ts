import {
  ErrorCode,
  InternalError,
  InvalidArgumentError,
  SandboxAlreadyExistsError,
  SandboxNotFoundError,
  ShellgateError,
  UnavailableError,
  isShellgateError,
} from '@shellgate/driver-sdk';

import type { EngineNaming } from './engine-naming.js';

/** No engine endpoint was configured and no socket was found; lists every place that was tried. */
export class EngineHostNotFoundError extends ShellgateError {
  readonly attempts: readonly string[];
  constructor(naming: EngineNaming, attempts: readonly string[]) {
    super(ErrorCode.FailedPrecondition, `no ${naming.displayName} engine socket found (tried ${attempts.join('; ')})`, {
      hint: naming.hostNotFoundHint,
      details: { attempts },
    });
    this.name = 'EngineHostNotFoundError';
    this.attempts = attempts;
  }
}

/** What an engine call was doing when it failed: named in the message, kept in details. */
export interface EngineCallContext {
  /** A verb phrase, e.g. "inspect container" or "pull image busybox:latest". */
  readonly operation: string;
  /** The sandbox concerned: 404 and 409 then become the sandbox errors. */
  readonly sandboxId?: string;
  /** Engine endpoint, for the Unavailable hint. */
  readonly endpoint?: string;
}

function readField(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null && key in error ? (error as Record<string, unknown>)[key] : undefined;
}

/** The engine's own message: the JSON body's `message` when the engine sent one, else the error's. */
export function engineMessageOf(error: unknown): string {
  const body = readField(error, 'json');
  const bodyMessage = readField(body, 'message');
  if (typeof bodyMessage === 'string' && bodyMessage !== '') return bodyMessage.trim();
  if (error instanceof Error) return error.message.trim();
  return String(error);
}

const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE']);

/**
 * Engine failures as driver errors, for every engine that answers like Docker's API (Docker,
 * and Podman's compat and libpod trees alike): each driver's `toDriverError` (STYLE.md rule 8)
 * calls this with its naming. The cause is kept for the log and never sent to clients; the
 * message names the operation and, for 4xx answers, the engine's reason (engine messages never
 * contain the sandbox token: it only reaches the engine as a file path).
 */
export function toEngineDriverError(error: unknown, context: EngineCallContext, naming: EngineNaming): ShellgateError {
  // test: "passes a full state dir through as RESOURCE_EXHAUSTED naming it"
  if (isShellgateError(error)) return error;
  const options = { cause: error, details: { operation: context.operation } };
  const statusCode = readField(error, 'statusCode');
  const message = `${context.operation}: ${engineMessageOf(error)}`;
  // test: "maps 404 to NOT_FOUND"
  if (statusCode === 404) {
    if (context.sandboxId !== undefined) return new SandboxNotFoundError(context.sandboxId, options);
    return new ShellgateError(ErrorCode.NotFound, message, options);
  }
  // test: "maps 409 to ALREADY_EXISTS"
  if (statusCode === 409) {
    if (context.sandboxId !== undefined) return new SandboxAlreadyExistsError(context.sandboxId, options);
    return new ShellgateError(ErrorCode.AlreadyExists, message, options);
  }
  // test: "maps 400 to INVALID_ARGUMENT"
  if (statusCode === 400) return new InvalidArgumentError(message, options);
  const code = readField(error, 'code');
  // test: "maps an unreachable socket to UNAVAILABLE, naming the socket"
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) {
    const where = context.endpoint ?? `the ${naming.displayName} engine`;
    return new UnavailableError(`${context.operation}: cannot reach ${where} (${code})`, {
      ...options,
      hint: `is ${naming.daemonName} running? check that ${where} is the engine's socket (${naming.hostSettings})`,
    });
  }
  // test: "maps a permission error on the socket to UNAVAILABLE"
  if (code === 'EACCES') {
    const where = context.endpoint ?? `the ${naming.displayName} socket`;
    return new UnavailableError(`${context.operation}: permission denied on ${where}`, { ...options, hint: naming.permissionHint });
  }
  // test: "maps anything else to INTERNAL and keeps the cause"
  return new InternalError(`${context.operation} failed`, { ...options, hint: 'see the driver log for the engine error' });
}
