import { ServerCredentials, type Server } from '@grpc/grpc-js';
import { withLenientDecoding, type Logger } from '@shellgate/driver-sdk';
import { bidiRpc, bind, createApiGrpcServer, shutdownWithin, splitHostPort, streamSandboxChanges, streamingRpc, unaryRpc, type RpcScope } from '../api/index.js';
import type { SandboxEventBus } from '../sandboxes/index.js';
import type { GatewayStore } from '../store/index.js';
import { getSandboxLogs, type SandboxExecService, type SandboxLogStore } from '../supervision/index.js';
import { ReplicaRelayService, type ReplicaRelayServer as RelayHandlers } from './replica-relay-service.js';

export interface ReplicaRelayServerOptions {
  /** `replica_listen`; port 0 picks a free one. */
  readonly listen: string;
  /** Callers must present it as `authorization: Bearer <secret>`. */
  readonly secret: string;
  readonly store: GatewayStore;
  readonly events: SandboxEventBus;
  readonly logs: SandboxLogStore;
  readonly exec: SandboxExecService;
  readonly logger: Logger;
}

/**
 * The answering end of the replica relay, on its own listener: runs what another replica
 * forwards against this replica's own supervisor sessions and log buffers, never
 * forwarding again. Authenticated by the shared secret, with the public API's error mapping.
 */
export class ReplicaRelayServer {
  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(options: ReplicaRelayServerOptions): Promise<ReplicaRelayServer> {
    const scope: RpcScope = { auth: { bearerToken: options.secret }, logger: options.logger };
    const handlers: RelayHandlers = {
      exec: bidiRpc(scope, 'ReplicaRelay.Exec', (call) => options.exec.execInteractive(call, { localOnly: true })),
      getLogs: unaryRpc(scope, 'ReplicaRelay.GetLogs', (request) => getSandboxLogs(options.store, options.logs, request)),
      // Only the log part of a WatchSandbox: the caller has the status and events itself.
      followLogs: streamingRpc(scope, 'ReplicaRelay.FollowLogs', (call) => {
        call.request = { ...call.request, followStatus: false, followEvents: false, followLogs: true, stopOnTerminal: false };
        return streamSandboxChanges(call, options.store, options.events, options.logs);
      }),
    };
    const { server } = createApiGrpcServer();
    server.addService(withLenientDecoding(ReplicaRelayService), handlers);
    const { host } = splitHostPort(options.listen);
    const port = await bind(server, options.listen, ServerCredentials.createInsecure());
    options.logger.info('replica relay listening', { address: `${host}:${port}` });
    return new ReplicaRelayServer(server, host, port);
  }

  async close(graceMs: number): Promise<void> {
    await shutdownWithin(this.server, graceMs);
  }
}
