import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { ErrorCode, ShellgateError, fromGrpcStatus, isShellgateError } from '../errors.js';

/** What a failed driver call was, for the error message and hint. */
export interface DriverCallDescription {
  /** The RPC's proto name, e.g. `GetSandbox`. */
  readonly rpc: string;
  readonly socketPath: string;
  /** The deadline the call had, when it had one. */
  readonly timeoutMs?: number;
}

/** True for the error objects grpc-js hands to call callbacks and stream 'error' events. */
export function isGrpcServiceError(value: unknown): value is ServiceError {
  return (
    value instanceof Error &&
    typeof (value as Partial<ServiceError>).code === 'number' &&
    typeof (value as Partial<ServiceError>).details === 'string'
  );
}

/**
 * Turns whatever a grpc-js call failed with into a {@link ShellgateError} whose code is
 * the gRPC status the driver (or the transport) answered. The code comes from the status
 * number only, never from message text, and the original error is kept as `cause`.
 */
export function toDriverCallError(error: unknown, call: DriverCallDescription): ShellgateError {
  if (isShellgateError(error)) return error;
  const details = { rpc: call.rpc, socketPath: call.socketPath };
  if (!isGrpcServiceError(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new ShellgateError(ErrorCode.Internal, `${call.rpc} failed: ${reason}`, { details, cause: error });
  }
  const code = fromGrpcStatus(error.code);
  const reason = error.details === '' ? `status ${GrpcStatus[error.code] ?? error.code}` : error.details;
  return new ShellgateError(code, `${call.rpc} failed: ${reason}`, {
    hint: hintFor(code, call),
    details: { ...details, grpcCode: error.code },
    cause: error,
  });
}

function hintFor(code: ErrorCode, call: DriverCallDescription): string | undefined {
  switch (code) {
    case ErrorCode.Unavailable:
      return `check that the driver is running and serving on ${call.socketPath}`;
    case ErrorCode.DeadlineExceeded:
      return call.timeoutMs === undefined
        ? "check the driver's log for a stuck call"
        : `the driver did not answer within ${call.timeoutMs} ms; raise the call timeout or check the driver's log`;
    case ErrorCode.Unimplemented:
      return `the driver does not implement ${call.rpc}; upgrade the driver or avoid the feature that needs it`;
    default:
      return undefined;
  }
}
