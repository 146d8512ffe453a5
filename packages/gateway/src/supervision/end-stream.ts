import { Metadata } from '@grpc/grpc-js';
import { toGrpcStatus, type ShellgateError } from '@shellgate/driver-sdk';

/** A server stream this module ends: any grpc-js server call can be ended with a status. */
interface EndableCall {
  readonly cancelled: boolean;
  emit(event: 'error', error: Error): boolean;
}

/**
 * Ends a server stream with the error's code and message. grpc-js sends a stream's status
 * from its own 'error' listener; destroy() would skip that and leave the peer waiting.
 */
export function endStreamWithError(call: EndableCall, error: ShellgateError): void {
  if (call.cancelled) return;
  call.emit('error', Object.assign(new Error(error.message), { code: toGrpcStatus(error.code), details: error.describe(), metadata: new Metadata() }));
}
