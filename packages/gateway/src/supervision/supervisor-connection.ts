import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ExecStart, GatewayMessage, SupervisorMessage } from '@shellgate/api/session';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import { endStreamWithError } from './end-stream.js';

export type ConnectCall = ServerDuplexStream<SupervisorMessage, GatewayMessage>;

/** Who is on the other end of a session, as its verified hello says. */
export interface SupervisorSessionInfo {
  readonly sandboxId: string;
  readonly sessionId: string;
  /** Changes whenever the supervisor process starts again. */
  readonly instanceId: string;
  readonly supervisorVersion: string;
}

/** Why a session ended: undefined for a clean end (either side closed it, or it was superseded). */
export type SessionCloseListener = (reason: ShellgateError | undefined) => void;

export interface SupervisorConnectionOptions {
  /** Heartbeat interval; a supervisor silent for {@link MISSED_HEARTBEATS_LIMIT} intervals is dropped. */
  readonly heartbeatMs: number;
  readonly onMessage: (message: SupervisorMessage) => void;
  readonly nowMs?: () => number;
}

/** Intervals of silence after which the gateway ends a session (protocol rule). */
export const MISSED_HEARTBEATS_LIMIT = 3;

/**
 * One accepted supervisor session (a Connect stream after a verified hello): welcome,
 * heartbeats both ways, exec_start, and its end. Closing is idempotent and tells every
 * close listener once.
 */
export class SupervisorConnection {
  private readonly closeListeners = new Set<SessionCloseListener>();
  private readonly nowMs: () => number;
  private lastHeardMs = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(
    private readonly call: ConnectCall,
    readonly info: SupervisorSessionInfo,
    private readonly options: SupervisorConnectionOptions,
  ) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Sends welcome, starts the heartbeat watchdog and resumes the (paused) stream. */
  open(): void {
    const { call, options } = this;
    this.lastHeardMs = this.nowMs();
    call.on('data', (message: SupervisorMessage) => {
      this.lastHeardMs = this.nowMs();
      if (!this.isClosed) options.onMessage(message);
    });
    call.on('end', () => this.close());
    call.on('cancelled', () => this.finish(new ShellgateError(ErrorCode.Cancelled, 'the supervisor went away')));
    this.send({ payload: { $case: 'welcome', welcome: { sessionId: this.info.sessionId, heartbeatIntervalMs: options.heartbeatMs } } });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
    call.resume();
  }

  /** Queues a message for the supervisor; false once the session is closed. */
  send(message: GatewayMessage): boolean {
    if (this.isClosed) return false;
    this.call.write(message);
    return true;
  }

  startExec(start: ExecStart): boolean {
    return this.send({ payload: { $case: 'execStart', execStart: start } });
  }

  /** A newer session of the same sandbox took over: tell this supervisor, then end the stream. */
  supersede(): void {
    this.send({ payload: { $case: 'superseded', superseded: { message: 'a newer supervisor session of this sandbox took over' } } });
    this.close();
  }

  /** Ends the session: OK without `error`, else with its status. */
  close(error?: ShellgateError): void {
    if (this.isClosed) return;
    this.finish(error);
    if (error === undefined) this.call.end();
    else endStreamWithError(this.call, error);
  }

  /** Calls `listener` once when the session ends; returns the unsubscribe. */
  onClose(listener: SessionCloseListener): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private beat(): void {
    const silentMs = this.nowMs() - this.lastHeardMs;
    if (silentMs > MISSED_HEARTBEATS_LIMIT * this.options.heartbeatMs) {
      this.close(new ShellgateError(ErrorCode.Unavailable, `no message from the supervisor for ${silentMs} ms (heartbeat every ${this.options.heartbeatMs} ms)`, {
        hint: 'the supervisor reconnects by itself; check the sandbox network if this repeats',
      }));
      return;
    }
    this.send({ payload: { $case: 'heartbeat', heartbeat: { sentAtMs: this.nowMs() } } });
  }

  private finish(reason: ShellgateError | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.heartbeat);
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }
}
