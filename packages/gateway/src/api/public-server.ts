import { readFileSync } from 'node:fs';
import { ServerCredentials, type Server } from '@grpc/grpc-js';
import { encodeExecSandboxEvent, OpenShellService, type OpenShellServer } from '@shellgate/api';
import { SupervisorSessionService, type SupervisorSessionServer } from '@shellgate/api/session';
import { ErrorCode, ShellgateError, withLenientDecoding, type Logger } from '@shellgate/driver-sdk';
import type { CallbackListener } from './callback-listeners.js';
import { createApiGrpcServer, widenConnectionWindows } from './grpc-server.js';
import { GrpcTooling } from './grpc-tooling.js';
import { refuseMalformedMessages } from './malformed-messages.js';
import { checkRequestShape } from './request-revision.js';

export interface ApiTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** When set, clients must present a certificate signed by this CA. */
  readonly clientCaFile: string | undefined;
}

export interface PublicServerOptions {
  /** host:port of the primary listener; port 0 picks a free one. */
  readonly listen: string;
  readonly tls: ApiTlsFiles | undefined;
  readonly handlers: OpenShellServer;
  /** The restricted handler set served on callback listeners. */
  readonly callbackHandlers: OpenShellServer;
  /**
   * The supervisor session service, served on every listener: sandboxes dial the callback
   * listeners, or the primary one when they can reach it (loopback drivers). Its own
   * sandbox tokens authenticate it, so the primary's bearer token does not apply.
   */
  readonly supervisorHandlers: SupervisorSessionServer;
  readonly logger: Logger;
}

/**
 * The public service as generated, except that exec output events are framed by hand: the
 * generated encoder's copies made the gateway the bottleneck of exec output throughput; and
 * that each request's shape is checked before it is decoded (request-revision.ts).
 */
const SERVED_OPEN_SHELL_SERVICE = withRequestShapeChecks(
  withLenientDecoding({
    ...OpenShellService,
    execSandbox: { ...OpenShellService.execSandbox, responseSerialize: encodeExecSandboxEvent },
    execSandboxInteractive: { ...OpenShellService.execSandboxInteractive, responseSerialize: encodeExecSandboxEvent },
  } as const),
);
/** Malformed supervisor messages answer INVALID_ARGUMENT too, never INTERNAL. */
const SERVED_SESSION_SERVICE = withLenientDecoding(SupervisorSessionService);

/** The API listeners: the primary one, plus any callback listeners drivers asked for. */
export class PublicServer {
  private hasCallbackListeners = false;

  private constructor(
    private readonly primary: Server,
    private readonly callbackServer: Server,
    private readonly credentials: ServerCredentials,
    readonly host: string,
    readonly port: number,
    private readonly logger: Logger,
    private readonly tooling: GrpcTooling,
  ) {}

  static async start(options: PublicServerOptions): Promise<PublicServer> {
    const credentials = createCredentials(options.tls);
    const { server: primary, isTuned } = createApiGrpcServer();
    const { server: callbackServer } = createApiGrpcServer();
    if (!isTuned) {
      options.logger.warn('cannot set the API listeners\' HTTP/2 window and frame size with this @grpc/grpc-js; exec output will be slower', {
        hint: 'report this with the installed @grpc/grpc-js version',
      });
    }
    primary.addService(SERVED_OPEN_SHELL_SERVICE, options.handlers);
    const supervisorHandlers = guardSessionHandlers(options.supervisorHandlers, options.logger);
    primary.addService(SERVED_SESSION_SERVICE, supervisorHandlers);
    const tooling = new GrpcTooling();
    tooling.addAllTo(primary);
    const { host } = splitHostPort(options.listen);
    const port = await bind(primary, options.listen, credentials);
    const server = new PublicServer(primary, callbackServer, credentials, host, port, options.logger, tooling);
    server.callbackServer.addService(SERVED_OPEN_SHELL_SERVICE, options.callbackHandlers);
    server.callbackServer.addService(SERVED_SESSION_SERVICE, supervisorHandlers);
    tooling.addHealthTo(server.callbackServer);
    options.logger.info('public API listening', { address: `${host}:${port}`, tls: options.tls !== undefined });
    return server;
  }

  async addCallbackListener(listener: CallbackListener): Promise<void> {
    if (listener.host === this.host) return;
    const address = listener.host.includes(':') ? `[${listener.host}]:${listener.port}` : `${listener.host}:${listener.port}`;
    await bind(this.callbackServer, address, this.credentials);
    this.hasCallbackListeners = true;
    this.logger.info('callback listener bound', { address, driver: listener.driver, reason: listener.reason });
  }

  /** `grpc.health.v1.Health` answers SERVING from now on (call once the API handlers are live). */
  markServing(): void {
    this.tooling.setServing(true);
  }

  /**
   * Health turns NOT_SERVING (so Watch streams hear it), then the listener stops accepting,
   * lets in-flight calls finish within `graceMs` and cuts the rest.
   */
  async close(graceMs: number): Promise<void> {
    this.tooling.setServing(false);
    const servers = this.hasCallbackListeners ? [this.primary, this.callbackServer] : [this.primary];
    await Promise.all(servers.map((server) => shutdownWithin(server, graceMs)));
  }
}

/** Every request decoder first asks {@link checkRequestShape}, by the RPC's name on the wire. */
function withRequestShapeChecks<S extends Readonly<Record<string, { readonly path: string; readonly requestDeserialize: (buffer: Buffer) => unknown }>>>(service: S): S {
  const checked: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(service)) {
    const rpc = method.path.slice(method.path.lastIndexOf('/') + 1);
    checked[name] = { ...method, requestDeserialize: (buffer: Buffer) => checkRequestShape(rpc, buffer) ?? method.requestDeserialize(buffer) };
  }
  return checked as S;
}

/** The session handlers, each stream ended with INVALID_ARGUMENT at its first undecodable message. */
function guardSessionHandlers(handlers: SupervisorSessionServer, logger: Logger): SupervisorSessionServer {
  return {
    connect: (call) => {
      refuseMalformedMessages(call, 'SupervisorSession.Connect', logger);
      handlers.connect(call);
    },
    exec: (call) => {
      refuseMalformedMessages(call, 'SupervisorSession.Exec', logger);
      handlers.exec(call);
    },
  };
}

function createCredentials(tls: ApiTlsFiles | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (cause) {
      throw new ShellgateError(ErrorCode.FailedPrecondition, `cannot read the TLS ${what} ${file}`, { hint: 'check tls_* in gateway.toml', cause });
    }
  };
  const ca = tls.clientCaFile === undefined ? null : read(tls.clientCaFile, 'client CA');
  return ServerCredentials.createSsl(ca, [{ cert_chain: read(tls.certFile, 'certificate'), private_key: read(tls.keyFile, 'key') }], ca !== null);
}

export function splitHostPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (match === null) {
    throw new ShellgateError(ErrorCode.InvalidArgument, `listen address ${JSON.stringify(address)} is not host:port`, { hint: 'e.g. 127.0.0.1:17670' });
  }
  return { host: match[1]!, port: Number(match[2]) };
}

/** Binds `server` to `address` (port 0 picks one) with the API's connection windows; the bound port. */
export async function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => {
      if (error === null) {
        widenConnectionWindows(server);
        resolve(port);
        return;
      }
      reject(new ShellgateError(ErrorCode.Unavailable, `cannot listen on ${address}: ${error.message}`, {
        hint: 'another process may hold the port; pick another with --listen',
        cause: error,
      }));
    });
  });
}

/** Lets in-flight calls finish within `graceMs`, then cuts the rest. */
export async function shutdownWithin(server: Server, graceMs: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
