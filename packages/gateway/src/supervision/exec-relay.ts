import type { ExecSandboxEvent } from '@shellgate/api';
import type { ExecFromSupervisor, ExecToSupervisor } from '@shellgate/api/session';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import { endStreamWithError } from './end-stream.js';
import { ExecSessionLostError } from './errors.js';
import type { SupervisorExecStream } from './exec-broker.js';

/** The client's end of an exec: where its events go (a grpc-js server stream). */
export interface ExecEventSink {
  write(event: ExecSandboxEvent): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * One attached exec between a client and the supervisor's Exec stream. Output bytes pass
 * through as the Buffers grpc-js decoded (no copies, no line splitting); when the client
 * falls behind (write() is false) the supervisor stream is paused until the client drains,
 * so HTTP/2 flow control slows the command instead of the gateway buffering its output.
 */
export class ExecRelay {
  private isDone = false;
  private settle: ((error?: ShellgateError) => void) | undefined;
  private readonly outcome: Promise<void>;

  constructor(
    private readonly supervisor: SupervisorExecStream,
    private readonly sandboxName: string,
  ) {
    this.outcome = new Promise<void>((resolve, reject) => {
      this.settle = (error) => {
        if (this.isDone) return;
        this.isDone = true;
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    // Settled before anyone awaits it when the client cancels first.
    this.outcome.catch(() => undefined);
  }

  /** Queues stdin bytes; false when the supervisor stream is full (wait for {@link onInputDrain}). */
  sendStdin(data: Buffer): boolean {
    return this.send({ $case: 'stdin', stdin: data });
  }

  sendStdinEof(): void {
    this.send({ $case: 'stdinEof', stdinEof: true });
  }

  sendResize(cols: number, rows: number): void {
    this.send({ $case: 'resize', resize: { cols, rows } });
  }

  onInputDrain(listener: () => void): void {
    this.supervisor.once('drain', listener);
  }

  /**
   * Relays output to `sink` until the supervisor's exit, which is written last; resolves
   * then. Rejects with UNAVAILABLE when the exec stream ends without an exit.
   */
  async run(sink: ExecEventSink): Promise<void> {
    let isWaitingForDrain = false;
    const forward = (event: ExecSandboxEvent): void => {
      if (sink.write(event) || isWaitingForDrain) return;
      isWaitingForDrain = true;
      this.supervisor.pause();
      sink.once('drain', () => {
        isWaitingForDrain = false;
        if (!this.isDone) this.supervisor.resume();
      });
    };
    const onData = (message: ExecFromSupervisor): void => {
      const payload = message.payload;
      if (this.isDone) return;
      if (payload?.$case === 'stdout') forward({ payload: { $case: 'stdout', stdout: { data: payload.stdout } } });
      else if (payload?.$case === 'stderr') forward({ payload: { $case: 'stderr', stderr: { data: payload.stderr } } });
      else if (payload?.$case === 'exit') {
        sink.write({ payload: { $case: 'exit', exit: { exitCode: payload.exit.exitCode } } });
        this.settle?.();
        this.supervisor.end();
      }
    };
    const onLost = (): void => this.abort();
    this.supervisor.on('data', onData);
    this.supervisor.once('end', onLost);
    this.supervisor.once('cancelled', onLost);
    // The stream may have been cancelled between its attach and now, with no one listening.
    if (this.supervisor.cancelled) onLost();
    this.supervisor.resume();
    try {
      await this.outcome;
    } finally {
      this.supervisor.removeListener('data', onData);
      this.supervisor.removeListener('end', onLost);
      this.supervisor.removeListener('cancelled', onLost);
    }
  }

  /** The client went away: the supervisor ends the process (SIGTERM, then SIGKILL). */
  cancel(): void {
    if (this.isDone) return;
    this.send({ $case: 'cancel', cancel: true });
    this.settle?.(new ShellgateError(ErrorCode.Cancelled, 'the client cancelled the exec'));
    this.supervisor.end();
  }

  /** The session or the exec stream was lost before the exit: the client gets UNAVAILABLE. */
  abort(): void {
    if (this.isDone) return;
    const lost = new ExecSessionLostError(this.sandboxName);
    this.settle?.(lost);
    endStreamWithError(this.supervisor, lost);
  }

  private send(payload: ExecToSupervisor['payload']): boolean {
    if (this.isDone) return true;
    return this.supervisor.write({ payload });
  }
}
