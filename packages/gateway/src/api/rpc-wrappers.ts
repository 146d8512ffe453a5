import { status as Status } from '@grpc/grpc-js';
import type {
  handleBidiStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  Metadata,
  ServerDuplexStream,
  ServerWritableStream,
} from '@grpc/grpc-js';
import { isMalformedRequest, toMalformedRequestError, type Logger } from '@shellgate/driver-sdk';
import { refuseMalformedMessages } from './malformed-messages.js';
import { checkBearerToken, type ApiAuthPolicy } from './request-auth.js';
import { isRefusedRequest, toRefusalError } from './request-revision.js';
import { toGrpcError } from './to-grpc-error.js';

/** What every public RPC shares: auth, error mapping and the logger. */
export interface RpcScope {
  readonly auth: ApiAuthPolicy;
  readonly logger: Logger;
  /** Told of every finished call: its RPC name and gRPC status name (optional telemetry). */
  readonly onCallDone?: (rpc: string, code: string) => void;
  /** Runs each unary call's work, e.g. inside a trace span (optional telemetry), with the caller's `traceparent` if it sent one. */
  readonly traceCall?: <T>(rpc: string, work: () => Promise<T>, traceparent: string | undefined) => Promise<T>;
}

/** Reports a finished call to the scope's observer, if any, by gRPC status name. */
function reportCall(scope: RpcScope, rpc: string, code: Status | undefined): void {
  scope.onCallDone?.(rpc, Status[code ?? Status.UNKNOWN] ?? 'UNKNOWN');
}

function readTraceparent(metadata: Metadata): string | undefined {
  const [value] = metadata.get('traceparent');
  return typeof value === 'string' ? value : undefined;
}

/** A unary handler written as an async function; auth and error mapping happen here. */
export function unaryRpc<Req, Res>(
  scope: RpcScope,
  rpc: string,
  handler: (request: Req, metadata: Metadata) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const run = async (): Promise<Res> => {
      checkBearerToken(scope.auth, call.metadata);
      if (isMalformedRequest(call.request)) throw toMalformedRequestError(call.request, rpc);
      if (isRefusedRequest(call.request)) throw toRefusalError(call.request);
      return handler(call.request, call.metadata);
    };
    (scope.traceCall === undefined ? run() : scope.traceCall(rpc, run, readTraceparent(call.metadata))).then(
      (response) => {
        reportCall(scope, rpc, Status.OK);
        callback(null, response);
      },
      (error: unknown) => {
        const grpcError = toGrpcError(error, rpc, scope.logger);
        reportCall(scope, rpc, grpcError.code);
        callback(grpcError);
      },
    );
  };
}

/** A server-streaming handler; it owns the stream until it resolves, then the stream ends. */
export function streamingRpc<Req, Res>(
  scope: RpcScope,
  rpc: string,
  handler: (call: ServerWritableStream<Req, Res>) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call) => runStream(scope, rpc, call, handler);
}

/** A bidi-streaming handler, with the same ownership and error rules as {@link streamingRpc}. */
export function bidiRpc<Req, Res>(
  scope: RpcScope,
  rpc: string,
  handler: (call: ServerDuplexStream<Req, Res>) => Promise<void>,
): handleBidiStreamingCall<Req, Res> {
  return (call) => {
    refuseMalformedMessages(call, rpc, scope.logger);
    runStream(scope, rpc, call, handler);
  };
}

function runStream<Call extends ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>>(
  scope: RpcScope,
  rpc: string,
  call: Call,
  handler: (call: Call) => Promise<void>,
): void {
  const run = async (): Promise<void> => {
    checkBearerToken(scope.auth, call.metadata);
    const request: unknown = 'request' in call ? call.request : undefined;
    if (isMalformedRequest(request)) throw toMalformedRequestError(request, rpc);
    if (isRefusedRequest(request)) throw toRefusalError(request);
    await handler(call);
  };
  run().then(
    () => {
      reportCall(scope, rpc, call.cancelled ? Status.CANCELLED : Status.OK);
      if (!call.cancelled) call.end();
    },
    (error: unknown) => {
      const grpcError = toGrpcError(error, rpc, scope.logger);
      reportCall(scope, rpc, call.cancelled ? Status.CANCELLED : grpcError.code);
      // grpc-js sends a stream's status from its own 'error' listener; destroy() would skip
      // that and leave the client waiting forever (open-shell-handlers.test.ts pins it).
      if (!call.cancelled) call.emit('error', Object.assign(new Error('rpc failed'), grpcError));
    },
  );
}
