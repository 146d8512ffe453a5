import { Metadata, credentials, status as GrpcStatus, type ServerDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { ExecSandboxEvent, ExecSandboxInput, ExecSandboxRequest, GetSandboxLogsRequest, GetSandboxLogsResponse, SandboxLogLine, SandboxStreamEvent, WatchSandboxRequest } from '@shellgate/api';
import { ErrorCode, ShellgateError, fromGrpcStatus, quoteValue, silentLogger, type Logger } from '@shellgate/driver-sdk';
import { sessionReplicaOf } from '../sandboxes/index.js';
import type { SandboxRecord } from '../store/index.js';
import type { ExecClientCall, RemoteSessions } from '../supervision/index.js';
import { ReplicaRelayClient } from './replica-relay-service.js';

/** Where another replica's relay listens, from the replica registry in the store. */
export interface ReplicaAddressBook {
  /** The relay address of a live replica; undefined when it is not (or no longer) registered. */
  relayAddressOf(replicaId: string): Promise<string | undefined>;
}

export interface PeerRelayOptions {
  /** This replica's id: sessions it holds are served locally. */
  readonly replicaId: string;
  /** The shared secret every replica presents on the relay (`replica_secret_file`). */
  readonly secret: string;
  readonly addresses: ReplicaAddressBook;
  readonly logger?: Logger;
}

/**
 * The calling end of the replica relay: forwards an exec or a log read to the replica
 * holding the sandbox's supervisor session. Output is relayed with backpressure (a slow
 * client pauses the peer stream, so HTTP/2 flow control reaches the holder and its
 * supervisor); a client that leaves cancels the peer call, which cancels the command there.
 */
export class PeerRelay implements RemoteSessions {
  private readonly clients = new Map<string, { address: string; client: ReplicaRelayClient }>();
  private readonly logger: Logger;

  constructor(private readonly options: PeerRelayOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  holderElsewhere(record: SandboxRecord): string | undefined {
    const holder = sessionReplicaOf(record.sandbox);
    return holder === undefined || holder === this.options.replicaId ? undefined : holder;
  }

  async exec(holder: string, start: ExecSandboxRequest, client: ExecClientCall, input: ServerDuplexStream<ExecSandboxInput, ExecSandboxEvent> | undefined): Promise<void> {
    const peer = await this.clientFor(holder);
    const upstream = peer.exec(this.metadata());
    await new Promise<void>((resolve, reject) => {
      let isDone = false;
      const finish = (error?: ShellgateError): void => {
        if (isDone) return;
        isDone = true;
        client.removeListener('cancelled', onClientGone);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onClientGone = (): void => {
        upstream.cancel();
        finish();
      };
      client.once('cancelled', onClientGone);
      upstream.on('data', (event: ExecSandboxEvent) => {
        if (client.write(event)) return;
        upstream.pause();
        client.once('drain', () => upstream.resume());
      });
      upstream.on('error', (error: ServiceError) => finish(fromPeerError(error, holder, 'exec')));
      upstream.on('status', (status: { code: GrpcStatus }) => {
        if (status.code === GrpcStatus.OK) finish();
      });
      upstream.write({ payload: { $case: 'start', start: { ...start, stdin: Buffer.alloc(0) } } });
      if (input === undefined) {
        if (start.stdin.length > 0) upstream.write({ payload: { $case: 'stdin', stdin: start.stdin } });
        upstream.end();
        return;
      }
      input.on('data', (message: ExecSandboxInput) => {
        const kind = message.payload?.$case;
        if (kind !== 'stdin' && kind !== 'resize') return;
        if (upstream.write(message)) return;
        input.pause();
        upstream.once('drain', () => input.resume());
      });
      input.once('end', () => upstream.end());
      input.resume();
    });
  }

  async getLogs(holder: string, request: GetSandboxLogsRequest): Promise<GetSandboxLogsResponse> {
    const peer = await this.clientFor(holder);
    return new Promise((resolve, reject) => {
      peer.getLogs(request, this.metadata(), (error, response) => (error === null ? resolve(response) : reject(fromPeerError(error, holder, 'log read'))));
    });
  }

  followLogs(holder: string, request: WatchSandboxRequest, onLog: (log: SandboxLogLine) => void, onLost: (error: ShellgateError) => void): () => void {
    let isStopped = false;
    let cancel = (): void => undefined;
    this.clientFor(holder).then((peer) => {
      if (isStopped) return;
      const stream = peer.followLogs(request, this.metadata());
      cancel = () => stream.cancel();
      stream.on('data', (event: SandboxStreamEvent) => {
        if (event.payload?.$case === 'log') onLog(event.payload.log);
      });
      stream.on('error', (error: ServiceError) => {
        if (!isStopped && error.code !== GrpcStatus.CANCELLED) onLost(fromPeerError(error, holder, 'log follow'));
      });
    }, (error: unknown) => {
      if (!isStopped) onLost(error as ShellgateError);
    });
    return () => {
      isStopped = true;
      cancel();
    };
  }

  close(): void {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${this.options.secret}`);
    return metadata;
  }

  /** A channel to the holder's current address; a replica that moved gets a new one. */
  private async clientFor(holder: string): Promise<ReplicaRelayClient> {
    const address = await this.options.addresses.relayAddressOf(holder);
    if (address === undefined) {
      throw new ShellgateError(ErrorCode.Unavailable, `the gateway replica ${quoteValue(holder)} holding the sandbox's supervisor session is not registered (it stopped or died)`, {
        hint: 'the supervisor reconnects to a live replica within a few seconds; retry then',
        details: { replica: holder },
      });
    }
    const cached = this.clients.get(holder);
    if (cached?.address === address) return cached.client;
    cached?.client.close();
    this.logger.debug('dialing replica relay', { replica: holder, address });
    const client = new ReplicaRelayClient(address, credentials.createInsecure());
    this.clients.set(holder, { address, client });
    return client;
  }
}

/** A peer's status as this replica's error: the peer's own message passes through unchanged. */
function fromPeerError(error: ServiceError, holder: string, what: string): ShellgateError {
  if (error.code === GrpcStatus.UNAVAILABLE && !error.details.includes('supervisor')) {
    return new ShellgateError(ErrorCode.Unavailable, `the ${what} was relayed to gateway replica ${quoteValue(holder)}, which holds the sandbox's supervisor session, and it became unreachable: ${error.details}`, {
      hint: 'when a replica dies its sandboxes\' supervisors reconnect to a live one within a few seconds; retry then',
      details: { replica: holder },
    });
  }
  return new ShellgateError(fromGrpcStatus(error.code), error.details);
}
