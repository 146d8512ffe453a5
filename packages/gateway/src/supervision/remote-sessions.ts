import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ExecSandboxEvent, ExecSandboxInput, ExecSandboxRequest, GetSandboxLogsRequest, GetSandboxLogsResponse, SandboxLogLine, WatchSandboxRequest } from '@shellgate/api';
import type { ShellgateError } from '@shellgate/driver-sdk';
import type { SandboxRecord } from '../store/index.js';
import type { ExecClientCall } from './sandbox-exec-service.js';

/**
 * Supervisor sessions held by other gateway replicas (set only when replicas share the
 * store). Exec and logs need the session's replica: another one forwards the call there
 * over the replica relay, with the same backpressure and cancel semantics as a local call.
 */
export interface RemoteSessions {
  /** The other replica holding the sandbox's session; undefined when it is this one, or none holds it. */
  holderElsewhere(record: SandboxRecord): string | undefined;
  /**
   * Runs an exec on `holder`: `start` first, then `input`'s stdin and resize until its
   * half-close (without `input`, `start.stdin` and end of input), relaying the output to
   * `client`. Resolves after the exit event; a client that leaves cancels the command.
   */
  exec(holder: string, start: ExecSandboxRequest, client: ExecClientCall, input: ServerDuplexStream<ExecSandboxInput, ExecSandboxEvent> | undefined): Promise<void>;
  /** GetSandboxLogs answered by `holder`, which buffers the sandbox's lines. */
  getLogs(holder: string, request: GetSandboxLogsRequest): Promise<GetSandboxLogsResponse>;
  /**
   * The log part of a WatchSandbox (`request`'s tail and filters) followed on `holder`:
   * `onLog` gets each line, `onLost` the error that ended the follow early (the holder
   * died). Returns the unsubscribe.
   */
  followLogs(holder: string, request: WatchSandboxRequest, onLog: (log: SandboxLogLine) => void, onLost: (error: ShellgateError) => void): () => void;
}
