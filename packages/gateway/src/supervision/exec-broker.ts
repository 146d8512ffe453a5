import { randomUUID } from 'node:crypto';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ExecFromSupervisor, ExecToSupervisor } from '@shellgate/api/session';
import { ErrorCode, ShellgateError, isShellgateError, silentLogger, type Logger } from '@shellgate/driver-sdk';
import type { SandboxIdentity } from '../identity/index.js';
import { endStreamWithError } from './end-stream.js';

/** The supervisor's end of one exec: its `Exec` stream after a verified attach. */
export type SupervisorExecStream = ServerDuplexStream<ExecFromSupervisor, ExecToSupervisor>;

/** How long the supervisor may take to attach after exec_start (and to send attach on a new stream). */
export const EXEC_ATTACH_TIMEOUT_MS = 10_000;

/** An exec the gateway announced with exec_start and now waits to see attached. */
export interface ExecExpectation {
  /** Unguessable (a random UUID): only the supervisor that received exec_start knows it. */
  readonly execId: string;
  /** Resolves with the attached stream; rejects on exec_rejected, timeout or {@link abandon}. */
  readonly attached: Promise<SupervisorExecStream>;
  /** Stops waiting (the client left or the session was lost), rejecting `attached` with `reason`. */
  abandon(reason: ShellgateError): void;
}

interface PendingExec {
  readonly sandboxId: string;
  readonly sessionId: string;
  settle(result: { stream: SupervisorExecStream } | { error: ShellgateError }): void;
}

export interface ExecBrokerOptions {
  readonly identity: SandboxIdentity;
  readonly attachTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * Pairs each exec the gateway starts with the `Exec` stream the supervisor opens for it.
 * A stream is accepted only when its attach names a pending exec id and carries a token
 * that verifies for the sandbox that exec belongs to; anything else is refused and the
 * pending exec keeps waiting for the right stream.
 */
export class ExecBroker {
  private readonly pending = new Map<string, PendingExec>();
  private readonly logger: Logger;
  private readonly attachTimeoutMs: number;

  constructor(private readonly options: ExecBrokerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.attachTimeoutMs = options.attachTimeoutMs ?? EXEC_ATTACH_TIMEOUT_MS;
  }

  /** Registers a new exec of `sandboxId` on session `sessionId`; send its exec_start next. */
  expect(sandboxId: string, sessionId: string): ExecExpectation {
    const execId = randomUUID();
    let settle!: PendingExec['settle'];
    const attached = new Promise<SupervisorExecStream>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle({
          error: new ShellgateError(ErrorCode.Unavailable, `the supervisor of sandbox ${sandboxId} did not attach the exec within ${this.attachTimeoutMs} ms`, {
            hint: 'check the sandbox logs (`shellgate sandbox logs`) for supervisor errors, then retry',
          }),
        });
      }, this.attachTimeoutMs);
      settle = (result) => {
        if (this.pending.get(execId) !== pendingExec) return;
        this.pending.delete(execId);
        clearTimeout(timer);
        if ('stream' in result) resolve(result.stream);
        else reject(result.error);
      };
    });
    const pendingExec: PendingExec = { sandboxId, sessionId, settle: (result) => settle(result) };
    this.pending.set(execId, pendingExec);
    return { execId, attached, abandon: (reason) => pendingExec.settle({ error: reason }) };
  }

  /** The supervisor answered exec_start with exec_rejected: it could not even attach. */
  rejectExec(sandboxId: string, execId: string, message: string): void {
    const pendingExec = this.pending.get(execId);
    if (pendingExec?.sandboxId !== sandboxId) return;
    pendingExec.settle({
      error: new ShellgateError(ErrorCode.FailedPrecondition, `the sandbox supervisor could not start the command: ${message}`, {
        hint: 'check the command, workdir and the sandbox logs',
      }),
    });
  }

  /** Serves one `Exec` stream: attach first, verified, then it belongs to the waiting exec. */
  handleExec(call: SupervisorExecStream): void {
    const timer = setTimeout(() => {
      call.removeListener('data', onFirst);
      endStreamWithError(call, new ShellgateError(ErrorCode.InvalidArgument, `no attach within ${this.attachTimeoutMs} ms`));
    }, this.attachTimeoutMs);
    const onFirst = (message: ExecFromSupervisor): void => {
      clearTimeout(timer);
      // Output may follow attach at once; hold it until the relay takes the stream.
      call.pause();
      this.attach(call, message).catch((error: unknown) => {
        const refusal = isShellgateError(error) ? error : new ShellgateError(ErrorCode.Internal, 'exec attach failed', { cause: error });
        const claimedSandboxId = message.payload?.$case === 'attach' ? message.payload.attach.sandboxId : '';
        this.logger.warn('exec attach refused', { claimedSandboxId, code: refusal.code, reason: refusal.message });
        endStreamWithError(call, refusal);
      });
    };
    call.once('data', onFirst);
    call.once('cancelled', () => clearTimeout(timer));
  }

  private async attach(call: SupervisorExecStream, first: ExecFromSupervisor): Promise<void> {
    if (first.payload?.$case !== 'attach') {
      throw new ShellgateError(ErrorCode.InvalidArgument, `the first message of an Exec stream must be attach, not ${first.payload?.$case ?? 'empty'}`);
    }
    const { execId, sandboxId, token } = first.payload.attach;
    await this.options.identity.verifyToken(token, sandboxId);
    const pendingExec = this.pending.get(execId);
    if (pendingExec === undefined) {
      throw new ShellgateError(ErrorCode.NotFound, 'no exec with that exec_id is waiting for an attach', { hint: 'it finished, timed out or was cancelled' });
    }
    if (pendingExec.sandboxId !== sandboxId) {
      throw new ShellgateError(ErrorCode.PermissionDenied, `exec ${execId} belongs to another sandbox, not ${JSON.stringify(sandboxId)}`);
    }
    if (call.cancelled) return;
    pendingExec.settle({ stream: call });
  }
}
