import { randomUUID } from 'node:crypto';
import type { Hello, SupervisorMessage } from '@shellgate/api/session';
import { ErrorCode, ShellgateError, isShellgateError, silentLogger, type Logger, quoteValue } from '@shellgate/driver-sdk';
import type { SandboxIdentity } from '../identity/index.js';
import type { SandboxEventBus, SandboxStatusSync, SessionRegistry } from '../sandboxes/index.js';
import type { GatewayStore } from '../store/index.js';
import { endStreamWithError } from './end-stream.js';
import { SessionInUseError } from './errors.js';
import type { ExecBroker } from './exec-broker.js';
import type { SandboxLogStore } from './sandbox-log-store.js';
import { SupervisorConnection, type ConnectCall } from './supervisor-connection.js';

/** How long a new Connect stream may take to send its hello. */
export const HELLO_TIMEOUT_MS = 10_000;

export interface SupervisorHubOptions {
  readonly identity: SandboxIdentity;
  readonly store: GatewayStore;
  readonly sessions: SessionRegistry;
  readonly statusSync: SandboxStatusSync;
  readonly events: SandboxEventBus;
  readonly logs: SandboxLogStore;
  readonly execs: ExecBroker;
  /** Config `supervisor_heartbeat_ms`. */
  readonly heartbeatMs: number;
  readonly helloTimeoutMs?: number;
  readonly logger?: Logger;
  readonly nowMs?: () => number;
}

/**
 * The gateway end of every supervisor session: verifies each hello's sandbox token, keeps
 * the one live connection per sandbox (a newer one supersedes, unless its hello only
 * resumes a superseded supervisor: that waits until no session is live), records it in the
 * SessionRegistry (which drives readiness), and routes what supervisors report: main
 * process start/exit to the status sync, log batches to the log store, exec refusals to
 * the exec broker. A deleted sandbox loses its session and its log buffer.
 */
export class SupervisorHub {
  private readonly connections = new Map<string, SupervisorConnection>();
  private readonly logger: Logger;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: SupervisorHubOptions) {
    this.logger = options.logger ?? silentLogger;
    this.unsubscribe = options.events.subscribeAll((change) => {
      if (change.kind !== 'deleted') return;
      const sandboxId = change.sandbox.metadata?.id ?? '';
      this.connections.get(sandboxId)?.close();
      options.logs.drop(sandboxId);
    }, (sandboxId) => this.connections.has(sandboxId) || options.logs.holds(sandboxId));
  }

  /** The live session of a sandbox, if its supervisor is connected. */
  connectionOf(sandboxId: string): SupervisorConnection | undefined {
    return this.connections.get(sandboxId);
  }

  /** Serves one Connect stream: hello first, then the session until either side ends it. */
  handleConnect(call: ConnectCall): void {
    const helloTimer = setTimeout(() => {
      call.removeListener('data', onFirst);
      endStreamWithError(call, new ShellgateError(ErrorCode.Unauthenticated, `no hello within ${this.helloTimeoutMs} ms`, {
        hint: 'the supervisor must send hello as the first message',
      }));
    }, this.helloTimeoutMs);
    const onFirst = (message: SupervisorMessage): void => {
      clearTimeout(helloTimer);
      // Hold later messages until the session is set up, so none is lost.
      call.pause();
      this.accept(call, message).catch((error: unknown) => {
        const refusal = isShellgateError(error) ? error : new ShellgateError(ErrorCode.Internal, 'supervisor session setup failed', { cause: error });
        const claimedSandboxId = message.payload?.$case === 'hello' ? message.payload.hello.sandboxId : '';
        const fields = { claimedSandboxId, code: refusal.code, reason: refusal.message };
        // A superseded supervisor asks again every few seconds while the newer session lives: not worth a warning each time.
        if (refusal instanceof SessionInUseError) this.logger.debug('supervisor session refused', fields);
        else this.logger.warn('supervisor session refused', fields);
        endStreamWithError(call, refusal);
      });
    };
    call.once('data', onFirst);
    call.once('cancelled', () => clearTimeout(helloTimer));
  }

  /** Ends every session (gateway shutdown). */
  close(): void {
    this.unsubscribe();
    const shutdown = new ShellgateError(ErrorCode.Unavailable, 'the gateway is shutting down', { hint: 'the supervisor reconnects when it is back' });
    for (const connection of [...this.connections.values()]) connection.close(shutdown);
  }

  private get helloTimeoutMs(): number {
    return this.options.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
  }

  private async accept(call: ConnectCall, first: SupervisorMessage): Promise<void> {
    if (first.payload?.$case !== 'hello') {
      throw new ShellgateError(ErrorCode.InvalidArgument, `the first message of a supervisor session must be hello, not ${first.payload?.$case ?? 'empty'}`);
    }
    const hello = first.payload.hello;
    await this.verifyHello(hello);
    if (call.cancelled) return;
    const { sandboxId } = hello;
    // Checked after the last await, so no other hello of this sandbox slips in between.
    const previous = this.connections.get(sandboxId);
    if (hello.resumeOnlyIfFree && previous !== undefined) throw new SessionInUseError(sandboxId);
    const sessionId = randomUUID();
    const logger = this.logger.child({ sandboxId, sessionId });
    let statusUpdates: Promise<unknown> = Promise.resolve();
    const connection = new SupervisorConnection(call, { sandboxId, sessionId, instanceId: hello.instanceId, supervisorVersion: hello.supervisorVersion }, {
      heartbeatMs: this.options.heartbeatMs,
      nowMs: this.options.nowMs,
      onMessage: (message) => {
        // Status writes run one after another, so a quick start+exit lands in order.
        const update = this.route(connection, message, logger);
        if (update !== undefined) statusUpdates = statusUpdates.then(update).catch((error: unknown) => logger.warn('applying a supervisor report failed', { error: String(error) }));
      },
    });
    this.connections.set(sandboxId, connection);
    // Register before ending the old stream: the registry then never sees the sandbox
    // without a session, so readiness does not flicker.
    this.options.sessions.connect(sandboxId, sessionId);
    connection.onClose((reason) => {
      if (this.connections.get(sandboxId) === connection) this.connections.delete(sandboxId);
      this.options.sessions.disconnect(sandboxId, sessionId);
      if (reason === undefined || reason.code === ErrorCode.Cancelled) logger.info('supervisor session ended', { reason: reason?.message ?? 'closed' });
      else logger.warn('supervisor session ended', { reason: reason.message });
    });
    if (previous !== undefined) {
      logger.info('supervisor session supersedes an older one', {
        previousSessionId: previous.info.sessionId,
        previousInstanceId: previous.info.instanceId,
        instanceId: hello.instanceId,
      });
      previous.supersede();
    }
    connection.open();
    logger.info('supervisor session opened', { instanceId: hello.instanceId, supervisorVersion: hello.supervisorVersion });
  }

  /** Token for this sandbox (signature, issuer, subject), and a sandbox that still exists. */
  private async verifyHello(hello: Hello): Promise<void> {
    if (hello.sandboxId === '') {
      throw new ShellgateError(ErrorCode.Unauthenticated, 'hello carries no sandbox_id', { hint: 'the supervisor reads it from OPENSHELL_SANDBOX_ID' });
    }
    await this.options.identity.verifyToken(hello.token, hello.sandboxId);
    if ((await this.options.store.getSandbox(hello.sandboxId)) === undefined) {
      throw new ShellgateError(ErrorCode.PermissionDenied, `sandbox ${quoteValue(hello.sandboxId)} does not exist on this gateway (it was deleted)`, {
        hint: 'a deleted sandbox\'s supervisor stops when its backend removes it',
      });
    }
  }

  /** Handles one message; returns the status write it needs, if any. */
  private route(connection: SupervisorConnection, message: SupervisorMessage, logger: Logger): (() => Promise<unknown>) | undefined {
    const { sandboxId, instanceId } = connection.info;
    const payload = message.payload;
    switch (payload?.$case) {
      case 'heartbeat':
        return undefined;
      case 'logs':
        this.options.logs.append(sandboxId, payload.logs.lines);
        return undefined;
      case 'mainProcessStarted':
        logger.info('main process started', { pid: payload.mainProcessStarted.pid, tty: payload.mainProcessStarted.tty });
        return () => this.options.statusSync.applyMainProcessStarted(sandboxId, instanceId);
      case 'mainProcessExited': {
        const { exitCode, signal } = payload.mainProcessExited;
        logger.info('main process exited', { exitCode, signal });
        return () => this.options.statusSync.applyMainProcessExited(sandboxId, instanceId, { exitCode, signal });
      }
      case 'execRejected':
        this.options.execs.rejectExec(sandboxId, payload.execRejected.execId, payload.execRejected.message);
        return undefined;
      case 'hello':
        connection.close(new ShellgateError(ErrorCode.InvalidArgument, 'hello sent twice on one supervisor session'));
        return undefined;
      default:
        return undefined;
    }
  }
}
