import { Metadata, credentials } from '@grpc/grpc-js';
import type { ClientOptions } from '@grpc/grpc-js';
import { ComputeDriverClient, ComputeDriverService } from '../gen/compute_driver.js';
import { ErrorCode, ShellgateError } from '../errors.js';
import { toDriverCallError } from './to-driver-call-error.js';

type Service = typeof ComputeDriverService;
type ServiceMethod = keyof Service;

/** The RPCs of `ComputeDriver` that answer with a single message. */
export type UnaryRpcMethod = {
  [K in ServiceMethod]: Service[K]['responseStream'] extends false ? K : never;
}[ServiceMethod];
export type RpcRequest<K extends ServiceMethod> = Parameters<Service[K]['requestSerialize']>[0];
export type RpcResponse<K extends ServiceMethod> = ReturnType<Service[K]['responseDeserialize']>;

/** Per-call overrides; every unary call has a deadline. */
export interface DriverCallOptions {
  /** Deadline for this call in milliseconds; defaults to the client's `callTimeoutMs`. */
  readonly timeoutMs?: number;
  /** Cancels the call; it then rejects with CANCELLED. */
  readonly signal?: AbortSignal;
}

export interface DriverChannelOptions {
  readonly callTimeoutMs: number;
  readonly retryIntervalMs: number;
  readonly callObserver?: DriverCallObserver | undefined;
}

/**
 * Sees every unary call a driver client sends: the gateway's optional telemetry opens a
 * client span and hands back the `traceparent` that carries it to the driver.
 */
export interface DriverCallObserver {
  /** Called as `rpc` is sent; undefined: this call is not observed. */
  startCall(rpc: string): ObservedDriverCall | undefined;
}

/** One observed call: metadata sent with it, and `end`, called once when it settles. */
export interface ObservedDriverCall {
  readonly metadata: Readonly<Record<string, string>>;
  end(error: ShellgateError | undefined): void;
}

/** 64 MiB: ListSandboxes of a large fleet outgrows grpc-js's 4 MiB default. */
const MAX_RECEIVE_BYTES = 64 * 1024 * 1024;
/** Re-dial a restarted driver quickly; upstream reconnects its watch every 2 s. */
const MAX_RECONNECT_BACKOFF_MS = 2_000;

/**
 * One grpc-js channel to a driver's Unix socket, with typed unary and streaming calls
 * that fail only with {@link ShellgateError}. {@link connectDriver} builds the public
 * client on top of it.
 */
export class DriverChannel {
  readonly socketPath: string;
  readonly #grpc: ComputeDriverClient;
  readonly #callTimeoutMs: number;
  readonly #callObserver: DriverCallObserver | undefined;
  #isClosed = false;

  constructor(socketPath: string, options: DriverChannelOptions) {
    this.socketPath = socketPath;
    this.#callTimeoutMs = options.callTimeoutMs;
    this.#callObserver = options.callObserver;
    const clientOptions: Partial<ClientOptions> = {
      // A private pool: a retry after a failed dial must not inherit the shared
      // subchannel's backoff, or the 250 ms retry cadence would stretch to seconds.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.initial_reconnect_backoff_ms': options.retryIntervalMs,
      'grpc.max_reconnect_backoff_ms': Math.max(options.retryIntervalMs, MAX_RECONNECT_BACKOFF_MS),
      'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
    };
    this.#grpc = new ComputeDriverClient(`unix://${socketPath}`, credentials.createInsecure(), clientOptions);
  }

  /** Calls one unary RPC with a deadline; rejects with a ShellgateError carrying the gRPC code. */
  callUnary<K extends UnaryRpcMethod>(
    method: K,
    request: RpcRequest<K>,
    options: DriverCallOptions = {},
  ): Promise<RpcResponse<K>> {
    const definition = ComputeDriverService[method];
    const timeoutMs = options.timeoutMs ?? this.#callTimeoutMs;
    const description = { rpc: rpcName(definition.path), socketPath: this.socketPath, timeoutMs };
    const { signal } = options;
    if (this.#isClosed) return Promise.reject(this.#closedError(description.rpc));
    if (signal?.aborted === true) return Promise.reject(cancelledError(description.rpc, signal));
    const observed = this.#callObserver?.startCall(description.rpc);
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(observed?.metadata ?? {})) metadata.set(key, value);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = this.#grpc.makeUnaryRequest(
        definition.path,
        definition.requestSerialize as (value: RpcRequest<K>) => Buffer,
        definition.responseDeserialize as (value: Buffer) => RpcResponse<K>,
        request,
        metadata,
        { deadline: Date.now() + timeoutMs },
        (error, response) => {
          signal?.removeEventListener('abort', onAbort);
          if (error !== null || response === undefined) {
            const failure = toDriverCallError(error, description);
            observed?.end(failure);
            reject(failure);
          } else {
            observed?.end(undefined);
            resolve(response);
          }
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Opens `WatchSandboxes`. The stream has no deadline. Aborting `signal` (or leaving the
   * loop) cancels it and ends the iteration quietly; any other failure is thrown as a
   * ShellgateError, and a stream the driver closes simply ends.
   */
  async *watchSandboxes(signal?: AbortSignal): AsyncGenerator<RpcResponse<'watchSandboxes'>, void, undefined> {
    const definition = ComputeDriverService.watchSandboxes;
    const description = { rpc: rpcName(definition.path), socketPath: this.socketPath };
    if (this.#isClosed) throw this.#closedError(description.rpc);
    if (signal?.aborted === true) return;
    const call = this.#grpc.makeServerStreamRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      {},
      new Metadata(),
      {},
    );
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const event of call as AsyncIterable<RpcResponse<'watchSandboxes'>>) yield event;
    } catch (error) {
      // Re-read: the signal may have fired while the stream was open.
      if (isAborted(signal)) return;
      throw toDriverCallError(error, description);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  /** Closes the channel; in-flight calls fail with CANCELLED. Idempotent. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#grpc.close();
  }

  #closedError(rpc: string): ShellgateError {
    return new ShellgateError(ErrorCode.FailedPrecondition, `${rpc} called on a closed driver client`, {
      hint: 'connect again with connectDriver()',
      details: { rpc, socketPath: this.socketPath },
    });
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function rpcName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function cancelledError(rpc: string, signal: AbortSignal): ShellgateError {
  return new ShellgateError(ErrorCode.Cancelled, `${rpc} cancelled before it was sent`, {
    details: { rpc },
    cause: signal.reason,
  });
}
