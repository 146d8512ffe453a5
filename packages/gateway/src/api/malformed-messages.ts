import type { ServerDuplexStream } from '@grpc/grpc-js';
import { isMalformedRequest, toMalformedRequestError } from '@shellgate/driver-sdk';
import { toGrpcError } from './to-grpc-error.js';
import type { Logger } from '@shellgate/driver-sdk';

/**
 * Ends a bidi stream with INVALID_ARGUMENT at its first message that could not be decoded
 * (services are served `withLenientDecoding`), before any handler sees it. Done by wrapping the
 * call's `emit`: grpc-js delivers each decoded message as a 'data' event, and a listener
 * cannot stop the others from running.
 */
export function refuseMalformedMessages<Req, Res>(call: ServerDuplexStream<Req, Res>, rpc: string, logger: Logger): void {
  const emit = call.emit.bind(call);
  let hasFailed = false;
  call.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== 'data' || !isMalformedRequest(args[0])) return emit(event, ...args);
    if (!hasFailed && !call.cancelled) {
      hasFailed = true;
      emit('error', Object.assign(new Error('malformed message'), toGrpcError(toMalformedRequestError(args[0], rpc), rpc, logger)));
    }
    return true;
  }) as typeof call.emit;
}
