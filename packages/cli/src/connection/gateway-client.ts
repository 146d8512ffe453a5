import type { CallOptions, ClientDuplexStream, ClientReadableStream, Metadata, ServiceError } from '@grpc/grpc-js';
import type { OpenShellClient } from '@shellgate/api';
import { OpenShellService } from '@shellgate/api';
import type { CallContext, CallSubject } from './to-cli-error.js';
import { toCliError } from './to-cli-error.js';

type Service = typeof OpenShellService;
type MethodName = keyof Service;
/** The unary RPCs of `openshell.v1.OpenShell`, by their ts-proto names (`createSandbox`, ...). */
export type UnaryMethod = {
  [K in MethodName]: Service[K]['requestStream'] extends false
    ? Service[K]['responseStream'] extends false
      ? K
      : never
    : never;
}[MethodName];
/** The server-streaming RPCs: `watchSandbox`, `execSandbox`. */
export type ServerStreamMethod = {
  [K in MethodName]: Service[K]['requestStream'] extends false ? (Service[K]['responseStream'] extends true ? K : never) : never;
}[MethodName];
/** The bidirectional RPCs: `execSandboxInteractive`. */
export type DuplexMethod = {
  [K in MethodName]: Service[K]['requestStream'] extends true ? (Service[K]['responseStream'] extends true ? K : never) : never;
}[MethodName];
export type RequestOf<K extends MethodName> = Parameters<Service[K]['requestSerialize']>[0];
export type ResponseOf<K extends MethodName> = ReturnType<Service[K]['responseDeserialize']>;

/** A bidirectional call: send with flow control, read the answers, half-close, cancel. */
export interface DuplexCall<Req, Res> {
  /** The server's messages; failures are thrown as `CliError`. Ending the loop cancels the call. */
  readonly responses: AsyncGenerator<Res>;
  /** Sends one message; false when the transport is full, then wait for {@link drained}. */
  write(message: Req): boolean;
  /** Resolves once the transport takes writes again, or the call is over. */
  drained(): Promise<void>;
  /** Half-closes: no more messages from us. */
  end(): void;
}

interface MethodDefinition<Req, Res> {
  readonly path: string;
  requestSerialize(value: Req): Buffer;
  responseDeserialize(value: Buffer): Res;
}

/** Per-call knobs: what the call is about (for messages) and its deadline. */
export interface CallSettings {
  readonly subject?: CallSubject;
  /** Overrides the configured per-call timeout; `Infinity` for none. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Promise-returning wrapper of the generated grpc-js client. Every call carries the
 * credentials metadata and a deadline, and every failure comes back as a `CliError`
 * through `toCliError`, so commands never see a raw gRPC status.
 */
export class GatewayClient {
  readonly #client: OpenShellClient;
  readonly #metadata: () => Metadata;
  readonly #gateway: string;
  readonly #timeoutMs: number;

  constructor(client: OpenShellClient, options: { metadata: () => Metadata; gateway: string; timeoutMs: number }) {
    this.#client = client;
    this.#metadata = options.metadata;
    this.#gateway = options.gateway;
    this.#timeoutMs = options.timeoutMs;
  }

  /** Calls one unary RPC, e.g. `call('getSandbox', { name, workspace })`. */
  call<K extends UnaryMethod>(method: K, request: RequestOf<K>, settings: CallSettings = {}): Promise<ResponseOf<K>> {
    const definition = OpenShellService[method] as unknown as MethodDefinition<RequestOf<K>, ResponseOf<K>>;
    const context = this.#context(method, settings);
    const timeoutMs = context.timeoutMs;
    return new Promise((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(
        definition.path,
        (value: RequestOf<K>) => definition.requestSerialize(value),
        (value: Buffer) => definition.responseDeserialize(value),
        request,
        this.#metadata(),
        this.#callOptions(timeoutMs),
        (error: ServiceError | null, response?: ResponseOf<K>) => {
          settings.signal?.removeEventListener('abort', cancel);
          if (error !== null || response === undefined) reject(toCliError(error, context));
          else resolve(response);
        },
      );
      const cancel = (): void => call.cancel();
      settings.signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /**
   * Streams a server-streaming RPC (`watchSandbox`, `execSandbox`) until the server ends it,
   * the deadline passes or `signal` aborts. The next message is read only when the caller
   * asks for it, so a slow consumer slows the server (HTTP/2 flow control) instead of
   * buffering. Failures are thrown as `CliError` from the iterator.
   */
  async *serverStream<K extends ServerStreamMethod>(method: K, request: RequestOf<K>, settings: CallSettings = {}): AsyncGenerator<ResponseOf<K>> {
    const definition = OpenShellService[method] as unknown as MethodDefinition<RequestOf<K>, ResponseOf<K>>;
    const context = this.#context(method, settings);
    const stream: ClientReadableStream<ResponseOf<K>> = this.#client.makeServerStreamRequest(
      definition.path,
      (value: RequestOf<K>) => definition.requestSerialize(value),
      (value: Buffer) => definition.responseDeserialize(value),
      request,
      this.#metadata(),
      this.#callOptions(context.timeoutMs),
    );
    const cancel = (): void => stream.cancel();
    settings.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const message of stream) yield message as ResponseOf<K>;
    } catch (error) {
      throw toCliError(error, context);
    } finally {
      settings.signal?.removeEventListener('abort', cancel);
      // Ending the loop early (the caller returned) must not leave the call open.
      stream.cancel();
    }
  }

  /** Opens a bidirectional RPC (`execSandboxInteractive`); see {@link DuplexCall}. */
  duplexStream<K extends DuplexMethod>(method: K, settings: CallSettings = {}): DuplexCall<RequestOf<K>, ResponseOf<K>> {
    const definition = OpenShellService[method] as unknown as MethodDefinition<RequestOf<K>, ResponseOf<K>>;
    const context = this.#context(method, settings);
    const call: ClientDuplexStream<RequestOf<K>, ResponseOf<K>> = this.#client.makeBidiStreamRequest(
      definition.path,
      (value: RequestOf<K>) => definition.requestSerialize(value),
      (value: Buffer) => definition.responseDeserialize(value),
      this.#metadata(),
      this.#callOptions(context.timeoutMs),
    );
    const cancel = (): void => call.cancel();
    settings.signal?.addEventListener('abort', cancel, { once: true });
    let isOver = false;
    async function* responses(): AsyncGenerator<ResponseOf<K>> {
      try {
        for await (const message of call) yield message as ResponseOf<K>;
      } catch (error) {
        throw toCliError(error, context);
      } finally {
        isOver = true;
        settings.signal?.removeEventListener('abort', cancel);
        call.cancel();
      }
    }
    return {
      responses: responses(),
      write: (message) => isOver || call.write(message),
      drained: () =>
        isOver
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const done = (): void => {
                for (const event of ['drain', 'status', 'error', 'close']) call.off(event, done);
                resolve();
              };
              for (const event of ['drain', 'status', 'error', 'close']) call.once(event, done);
            }),
      end: () => {
        if (!isOver) call.end();
      },
    };
  }

  close(): void {
    this.#client.close();
  }

  #context(method: MethodName, settings: CallSettings): CallContext {
    return { gateway: this.#gateway, method: rpcName(method), subject: settings.subject ?? {}, timeoutMs: settings.timeoutMs ?? this.#timeoutMs };
  }

  #callOptions(timeoutMs: number): Partial<CallOptions> {
    // grpc-js deadlines are wall-clock instants; this is real time on purpose, not the
    // injected display clock, because the transport measures it. Infinity: no deadline.
    return { deadline: Number.isFinite(timeoutMs) ? new Date(Date.now() + timeoutMs) : Infinity };
  }
}

/** `createSandbox` → `CreateSandbox`, as the RPC is named in the proto and in messages. */
function rpcName(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1);
}
