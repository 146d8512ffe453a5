import type {
  Deadline,
  ServerErrorResponse,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedHandleCall,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';

import { ErrorCode, ShellgateError, UnavailableError, isShellgateError } from '../errors.js';
import { ComputeDriverService } from '../gen/compute_driver.js';
import type { Logger } from '../logging/logger.js';
import { collectSecretValues, redactSecretText, redactSecrets } from '../logging/redact-secrets.js';
import type { CallKind, CallTracker } from './call-tracker.js';
import type { CallContext, ComputeDriverImpl } from './driver-impl.js';
import { encodeRpcError } from './encode-rpc-error.js';
import { isMalformedRequest, toMalformedRequestError } from './lenient-decoding.js';
import { pumpWatchStream } from './pump-watch-stream.js';

/** What the handlers share: the driver's name, the server logger and the call tracker. */
export interface RpcHandlerDeps {
  /** Named in UNIMPLEMENTED messages so the operator knows which driver lacks the RPC. */
  readonly driverName: string;
  readonly logger: Logger;
  readonly tracker: CallTracker;
}

/** What one RPC's handler needs: the shared deps, with the RPC's name and its child logger. */
interface RpcDeps extends RpcHandlerDeps {
  readonly rpc: string;
}

type AnyMethod = (request: unknown, ctx: CallContext) => unknown;
type Definition = (typeof ComputeDriverService)[keyof typeof ComputeDriverService];

/**
 * One grpc-js handler per RPC of `ComputeDriverService`, built from the service definition so
 * a new RPC in the contract is covered (as UNIMPLEMENTED) without touching this file.
 */
export function createRpcHandlers(impl: ComputeDriverImpl, deps: RpcHandlerDeps): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  for (const [key, definition] of Object.entries(ComputeDriverService) as [string, Definition][]) {
    const rpc = definition.path.slice(definition.path.lastIndexOf('/') + 1);
    const candidate = (impl as unknown as Record<string, unknown>)[key];
    const method = typeof candidate === 'function' ? (candidate as AnyMethod).bind(impl) : undefined;
    // One child logger per RPC, not per call: its fields never change.
    const rpcDeps: RpcDeps = { ...deps, rpc, logger: deps.logger.child({ rpc }) };
    handlers[key] = definition.responseStream
      ? createWatchHandler(method, rpcDeps)
      : createUnaryHandler(method, definition, rpcDeps);
  }
  return handlers;
}

function createUnaryHandler(method: AnyMethod | undefined, definition: Definition, deps: RpcDeps): UntypedHandleCall {
  // A handler may return nothing for an empty response; decoding zero bytes yields the
  // message with every field at its default, which ts-proto's encoder accepts.
  const emptyResponse = (): unknown => definition.responseDeserialize(Buffer.alloc(0));
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
    const refusal = refuseCall(method, deps, call.request);
    if (refusal !== undefined) return callback(refusal);
    void runUnary(call, callback, { method: method!, emptyResponse, deps });
  };
}

interface UnaryRun {
  readonly method: AnyMethod;
  readonly emptyResponse: () => unknown;
  readonly deps: RpcDeps;
}

async function runUnary(
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
  run: UnaryRun,
): Promise<void> {
  const { ctx, secrets, finish } = startCall(call, 'unary', run.deps);
  try {
    // Redacting a CreateSandbox request costs about 20 µs; skip it when the line is dropped.
    if (ctx.logger.isDebugEnabled?.() !== false) ctx.logger.debug('request', { request: redactSecrets(call.request) });
    const startedMs = performance.now();
    const response = (await run.method(call.request, ctx)) ?? run.emptyResponse();
    // Only the timing: redacting a whole response (a List of 1,000 sandboxes) for a debug
    // line cost more than the call itself (bench/src/rpc-latency.ts).
    ctx.logger.debug('answered', { durationMs: Math.round((performance.now() - startedMs) * 1000) / 1000 });
    callback(null, response);
  } catch (error) {
    callback(failCall(error, run.deps.rpc, secrets, ctx.logger));
  } finally {
    finish();
  }
}

function createWatchHandler(method: AnyMethod | undefined, deps: RpcDeps): UntypedHandleCall {
  return (call: ServerWritableStream<unknown, unknown>): void => {
    const refusal = refuseCall(method, deps, call.request);
    if (refusal !== undefined) {
      call.emit('error', refusal);
      return;
    }
    void runWatch(call, method!, deps);
  };
}

async function runWatch(call: ServerWritableStream<unknown, unknown>, method: AnyMethod, deps: RpcDeps): Promise<void> {
  const { rpc } = deps;
  const { ctx, secrets, finish } = startCall(call, 'stream', deps);
  ctx.logger.debug('watch stream opened');
  try {
    await pumpWatchStream(method(call.request, ctx) as AsyncIterable<unknown>, call, ctx.signal);
    if (call.cancelled) return;
    // An abort that is not a client cancel is the server draining; its reason says so.
    if (ctx.signal.aborted) call.emit('error', failCall(ctx.signal.reason, rpc, secrets, ctx.logger));
    else call.end();
  } catch (error) {
    if (!call.cancelled) call.emit('error', failCall(error, rpc, secrets, ctx.logger));
  } finally {
    finish();
    ctx.logger.debug('watch stream closed', { cancelled: call.cancelled });
  }
}

function refuseCall(method: AnyMethod | undefined, deps: RpcDeps, request: unknown): ServerErrorResponse | undefined {
  const { rpc } = deps;
  if (isMalformedRequest(request)) {
    const error = toMalformedRequestError(request, rpc);
    return { name: error.name, message: rpc, code: GrpcStatus.INVALID_ARGUMENT, details: error.describe() };
  }
  if (method === undefined) {
    return {
      name: 'UnimplementedError',
      message: rpc,
      code: GrpcStatus.UNIMPLEMENTED,
      details: `${rpc} is not implemented by driver ${JSON.stringify(deps.driverName)}`,
    };
  }
  if (deps.tracker.isDraining) {
    return { name: 'UnavailableError', message: rpc, code: GrpcStatus.UNAVAILABLE, details: 'driver is shutting down' };
  }
  return undefined;
}

interface StartedCall {
  readonly ctx: CallContext;
  readonly secrets: readonly string[];
  /** Ends tracking and stops listening for a cancel; call exactly once, when the handler is done. */
  readonly finish: () => void;
}

type AnyServerCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

function startCall(call: AnyServerCall, kind: CallKind, deps: RpcDeps): StartedCall {
  const { rpc } = deps;
  const tracked = deps.tracker.begin(kind);
  // grpc-js reports both a client cancel and a passed deadline as 'cancelled'. It also emits
  // 'cancelled' when the stream closes after a normal answer, so the listener is removed in
  // finish(): otherwise every call would build (and throw away) a cancel error.
  const onCancelled = (): void =>
    tracked.abort(new ShellgateError(ErrorCode.Cancelled, `${rpc} was cancelled by the caller or its deadline passed`));
  if (call.cancelled) onCancelled();
  else call.once('cancelled', onCancelled);
  const ctx: CallContext = {
    // Read through, so the tracker makes the call's AbortController only for a handler that uses it.
    get signal() {
      return tracked.signal;
    },
    logger: deps.logger,
    deadline: toDeadlineDate(call.getDeadline()),
    traceparent: readTraceparent(call),
  };
  const finish = (): void => {
    call.removeListener('cancelled', onCancelled);
    tracked.finish();
  };
  return { ctx, secrets: collectSecretValues(call.request), finish };
}

function readTraceparent(call: AnyServerCall): string | undefined {
  const [value] = call.metadata.get('traceparent');
  return typeof value === 'string' ? value : undefined;
}

function toDeadlineDate(deadline: Deadline): Date | undefined {
  if (deadline instanceof Date) return deadline;
  return Number.isFinite(deadline) ? new Date(deadline) : undefined;
}

/** The status for a failed call; the real error is logged here, once. */
function failCall(error: unknown, rpc: string, secrets: readonly string[], logger: Logger): ServerErrorResponse {
  const status = encodeRpcError(error, rpc, secrets);
  if (status.isUnexpected) {
    logger.error('handler failed with an unexpected error', { error: redactError(error, secrets) });
  } else if (isShellgateError(error) && error.code === ErrorCode.Internal) {
    logger.warn('call failed', { code: error.code, error: status.details });
  } else {
    logger.debug('call failed', { code: isShellgateError(error) ? error.code : undefined, error: status.details });
  }
  return { name: 'RpcError', message: status.details, code: status.code, details: status.details };
}

function redactError(error: unknown, secrets: readonly string[]): unknown {
  const record = redactSecrets(error instanceof Error ? error : { value: error }) as Record<string, unknown>;
  for (const field of ['message', 'stack']) {
    const text = record[field];
    if (typeof text === 'string') record[field] = redactSecretText(text, secrets);
  }
  return record;
}

/** The reason drain gives to calls it ends; the gateway reconnects on UNAVAILABLE. */
export function createDrainError(): ShellgateError {
  return new UnavailableError('driver is shutting down', { hint: 'reconnect; the driver is restarting or stopping' });
}
