import { makeGenericClientConstructor, type ChannelCredentials, type Client, type ClientDuplexStream, type ClientReadableStream, type ClientUnaryCall, type handleBidiStreamingCall, type handleServerStreamingCall, type handleUnaryCall, type Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  encodeExecSandboxEvent,
  OpenShellService,
  type ExecSandboxEvent,
  type ExecSandboxInput,
  type GetSandboxLogsRequest,
  type GetSandboxLogsResponse,
  type SandboxStreamEvent,
  type WatchSandboxRequest,
} from '@shellgate/api';

const SERVICE_NAME = 'shellgate.replica.v1.ReplicaRelay';

/**
 * The replica-to-replica relay, served on `replica_listen` only. A replica that takes a
 * request for a sandbox whose supervisor session is on another replica forwards it here;
 * the holder runs it against its local session, exactly as if the client had called it.
 * Its messages are the public API's (Exec is ExecSandboxInteractive, GetLogs is
 * GetSandboxLogs, FollowLogs is a WatchSandbox that carries only log events), so no new
 * wire format exists; only the service name differs, which keeps it off the public port.
 */
export const ReplicaRelayService = {
  exec: { ...OpenShellService.execSandboxInteractive, path: `/${SERVICE_NAME}/Exec` as const, responseSerialize: encodeExecSandboxEvent },
  getLogs: { ...OpenShellService.getSandboxLogs, path: `/${SERVICE_NAME}/GetLogs` as const },
  followLogs: { ...OpenShellService.watchSandbox, path: `/${SERVICE_NAME}/FollowLogs` as const },
} as const;

export interface ReplicaRelayServer {
  [name: string]: handleBidiStreamingCall<ExecSandboxInput, ExecSandboxEvent> | handleUnaryCall<GetSandboxLogsRequest, GetSandboxLogsResponse> | handleServerStreamingCall<WatchSandboxRequest, SandboxStreamEvent>;
  exec: handleBidiStreamingCall<ExecSandboxInput, ExecSandboxEvent>;
  getLogs: handleUnaryCall<GetSandboxLogsRequest, GetSandboxLogsResponse>;
  followLogs: handleServerStreamingCall<WatchSandboxRequest, SandboxStreamEvent>;
}

export interface ReplicaRelayClient extends Client {
  exec(metadata: Metadata): ClientDuplexStream<ExecSandboxInput, ExecSandboxEvent>;
  getLogs(request: GetSandboxLogsRequest, metadata: Metadata, callback: (error: ServiceError | null, response: GetSandboxLogsResponse) => void): ClientUnaryCall;
  followLogs(request: WatchSandboxRequest, metadata: Metadata): ClientReadableStream<SandboxStreamEvent>;
}

export const ReplicaRelayClient = makeGenericClientConstructor(ReplicaRelayService, SERVICE_NAME) as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options?: Record<string, unknown>,
) => ReplicaRelayClient;
