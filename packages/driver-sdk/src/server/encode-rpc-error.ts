import type { status as GrpcStatus } from '@grpc/grpc-js';

import { ErrorCode, isShellgateError, toGrpcStatus } from '../errors.js';
import { redactSecretText } from '../logging/redact-secrets.js';

/** The status a failed call answers with. */
export interface RpcErrorStatus {
  readonly code: GrpcStatus;
  readonly details: string;
  /** True when the error was not a ShellgateError: a driver bug whose text must not leave the process. */
  readonly isUnexpected: boolean;
}

/**
 * Turns whatever a handler threw into a gRPC status. A ShellgateError travels as its own code
 * with `describe()` as details, minus any secret value from the request (drivers sometimes
 * interpolate a spec into a message). Anything else becomes INTERNAL with a generic message;
 * its text stays in the driver log, because it may hold paths, engine output or secrets.
 */
export function encodeRpcError(error: unknown, rpc: string, secretValues: readonly string[]): RpcErrorStatus {
  if (isShellgateError(error)) {
    return {
      code: toGrpcStatus(error.code),
      details: redactSecretText(error.describe(), secretValues),
      isUnexpected: false,
    };
  }
  return {
    code: toGrpcStatus(ErrorCode.Internal),
    details: `internal error in ${rpc}; see the driver log`,
    isUnexpected: true,
  };
}
