// Test support (not a test file; `*.test.*` keeps it out of the published package): an in-process OpenShell gateway
// on 127.0.0.1:0 that records every request and its metadata, plus a runner for the CLI.
import type { ServerDuplexStream, ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { OpenShellServer, Sandbox } from '@shellgate/api';
import { OpenShellService, SandboxPhase, Sandbox as SandboxFns } from '@shellgate/api';
import type { CommandStdio } from '../attach/command-stdio.js';
import type { CliEnv } from '../config.js';
import { runCli } from '../run-cli.js';

export interface RecordedCall {
  readonly method: string;
  readonly request: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
}

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>;
type AnyHandler = (call: AnyCall, callback?: (error: unknown, response?: unknown) => void) => void;

/** A fake gateway: handlers given per test, every other RPC answers UNIMPLEMENTED. */
export class FakeGateway {
  /** Every call received, in order; filled as calls arrive. */
  readonly calls: readonly RecordedCall[];
  readonly address: string;
  readonly #server: Server;

  private constructor(server: Server, address: string, calls: readonly RecordedCall[]) {
    this.#server = server;
    this.address = address;
    this.calls = calls;
  }

  static async start(handlers: Partial<OpenShellServer>, credentials = ServerCredentials.createInsecure()): Promise<FakeGateway> {
    const server = new Server();
    const calls: RecordedCall[] = [];
    const implementation: UntypedServiceImplementation = {};
    for (const method of Object.keys(OpenShellService)) {
      const handler = (handlers as Record<string, AnyHandler | undefined>)[method];
      implementation[method] = ((call: AnyCall, callback?: (error: unknown, response?: unknown) => void) => {
        calls.push({ method, request: 'request' in call ? call.request : undefined, metadata: call.metadata.getMap() });
        if (handler !== undefined) {
          handler(call, callback);
          return;
        }
        const error = { code: status.UNIMPLEMENTED, details: `${method} is not faked` };
        if (callback !== undefined) callback(error);
        // A server stream reports its status through an 'error' event; destroy() would not send it.
        else (call as ServerWritableStream<unknown, unknown>).emit('error', Object.assign(new Error(error.details), error));
      }) as AnyHandler;
    }
    server.addService(OpenShellService, implementation);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', credentials, (error, boundPort) =>
        error === null ? resolve(boundPort) : reject(error),
      );
    });
    return new FakeGateway(server, `127.0.0.1:${port}`, calls);
  }

  /** The requests made to one RPC, in order. */
  requests(method: string): unknown[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.request);
  }

  async close(): Promise<void> {
    this.#server.forceShutdown();
  }
}

/** A gRPC error for handlers to answer with. */
export function grpcError(code: status, details: string): Error & { code: status; details: string } {
  return Object.assign(new Error(details), { code, details });
}

export const T0_MS = Date.parse('2025-01-01T00:00:00Z');
/** The display clock tests inject: 10 s after T0. */
export const TEST_CLOCK = { now: (): number => T0_MS + 10_000 };

/** A sandbox as the gateway would answer it. */
export function makeSandbox(name: string, phase: SandboxPhase, extra: { reason?: string; message?: string; image?: string; driver?: string } = {}): Sandbox {
  const readyStatus = phase === SandboxPhase.SANDBOX_PHASE_READY ? 'True' : 'False';
  return SandboxFns.fromPartial({
    metadata: { id: `id-${name}`, name, workspace: 'default', createdAtMs: T0_MS },
    spec: {
      template: {
        image: extra.image ?? 'alpine:3',
        driverConfig: extra.driver === undefined ? undefined : { [extra.driver]: {} },
      },
    },
    status: {
      sandboxName: name,
      phase,
      conditions:
        extra.reason === undefined ? [] : [{ type: 'Ready', status: readyStatus, reason: extra.reason, message: extra.message ?? '' }],
    },
  });
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process against `gateway` (or any address) with an empty environment. */
export async function runShellgate(
  argv: readonly string[],
  options: { gateway?: string; env?: CliEnv; signal?: AbortSignal; stdio?: CommandStdio } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv: options.gateway === undefined ? argv : ['--gateway', options.gateway, ...argv],
    stdout: { write: (text) => void (stdout += text) },
    stderr: { write: (text) => void (stderr += text) },
    env: options.env ?? {},
    clock: TEST_CLOCK,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.stdio === undefined ? {} : { stdio: options.stdio }),
  });
  return { code, stdout, stderr };
}
