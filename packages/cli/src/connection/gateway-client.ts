import type { CallOptions, ClientReadableStream, Metadata, ServiceError } from '@grpc/grpc-js';
import type { OpenShellClient, SandboxStreamEvent, WatchSandboxRequest } from '@shellgate/api';
import { OpenShellService } from '@shellgate/api';
import type { CallSubject } from './to-cli-error.js';
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
export type RequestOf<K extends MethodName> = Parameters<Service[K]['requestSerialize']>[0];
export type ResponseOf<K extends MethodName> = ReturnType<Service[K]['responseDeserialize']>;

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
    const timeoutMs = settings.timeoutMs ?? this.#timeoutMs;
    const context = { gateway: this.#gateway, method: rpcName(method), subject: settings.subject ?? {}, timeoutMs };
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
   * Streams `WatchSandbox` events until the server ends the stream, the deadline passes or
   * `signal` aborts. Failures are thrown as `CliError` from the iterator.
   */
  async *watchSandbox(request: WatchSandboxRequest, settings: CallSettings = {}): AsyncGenerator<SandboxStreamEvent> {
    const definition = OpenShellService.watchSandbox;
    const timeoutMs = settings.timeoutMs ?? this.#timeoutMs;
    const context = { gateway: this.#gateway, method: 'WatchSandbox', subject: settings.subject ?? {}, timeoutMs };
    const stream: ClientReadableStream<SandboxStreamEvent> = this.#client.makeServerStreamRequest(
      definition.path,
      (value: WatchSandboxRequest) => definition.requestSerialize(value),
      (value: Buffer) => definition.responseDeserialize(value),
      request,
      this.#metadata(),
      this.#callOptions(timeoutMs),
    );
    const cancel = (): void => stream.cancel();
    settings.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const event of stream) yield event as SandboxStreamEvent;
    } catch (error) {
      throw toCliError(error, context);
    } finally {
      settings.signal?.removeEventListener('abort', cancel);
      // Ending the loop early (the caller returned) must not leave the call open.
      stream.cancel();
    }
  }

  close(): void {
    this.#client.close();
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
