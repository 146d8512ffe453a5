import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode, isShellgateError, redactSecrets, toGrpcStatus, type Logger } from '@shellgate/driver-sdk';

/**
 * The one place a thrown value becomes a gRPC status for API clients. Shellgate errors keep
 * their code and message (plus hint); anything else is INTERNAL with a generic message, and
 * its cause goes only to the gateway log.
 */
export function toGrpcError(error: unknown, rpc: string, logger: Logger): Partial<ServiceError> {
  if (isShellgateError(error)) {
    if (error.code === ErrorCode.Internal || error.code === ErrorCode.Unavailable) {
      logger.warn(`${rpc} failed`, { code: error.code, error: error.message, details: redactSecrets(error.details) });
    }
    return { code: toGrpcStatus(error.code), details: error.describe(), metadata: new Metadata() };
  }
  logger.error(`${rpc} failed with an unexpected error`, { error: error instanceof Error ? error.stack ?? error.message : String(error) });
  return { code: GrpcStatus.INTERNAL, details: `internal error in ${rpc}; see the gateway log`, metadata: new Metadata() };
}
