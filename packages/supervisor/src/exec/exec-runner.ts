import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { ExecExit, ExecFromSupervisor, ExecStart, ExecToSupervisor, SupervisorSessionClient } from '@shellgate/api/session';
import type { SupervisorLogger } from '../logging/supervisor-logger.js';
import { CommandStartError } from '../process/executable-lookup.js';
import { OutputCoalescer } from './output-coalescer.js';
import type { ProcessUser, RunningCommand } from '../process/running-command.js';
import { startCommand } from '../process/start-command.js';

/** After SIGTERM (cancel, timeout), how long a process gets before SIGKILL (the session protocol). */
export const EXEC_KILL_GRACE_MS = 2_000;
/** The exit code of a timed-out exec, as coreutils `timeout` reports it. */
export const EXEC_TIMEOUT_EXIT_CODE = 124;
const DEFAULT_PTY_SIZE = { cols: 80, rows: 24 } as const;

export interface ExecRunnerOptions {
  readonly client: SupervisorSessionClient;
  readonly sandboxId: string;
  readonly readToken: () => string;
  /** The supervisor's own environment; the request's variables are laid over it. */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly defaultWorkdir: string;
  /** Present: run execs as this user (the image's USER) rather than as the supervisor. */
  readonly user?: ProcessUser;
  readonly logger: SupervisorLogger;
}

type ExecStream = ClientDuplexStream<ExecFromSupervisor, ExecToSupervisor>;

/**
 * Runs one `exec_start`: opens its own Exec stream (attach first), starts the command, streams
 * output with backpressure (a full grpc stream pauses the child's output), applies stdin,
 * resize, cancel and the timeout, and ends with `exit`. Throws only when it cannot attach;
 * the caller then answers `exec_rejected` on the session.
 */
export async function runExec(start: ExecStart, options: ExecRunnerOptions): Promise<ExecExit> {
  const logger = options.logger.child('exec', { execId: start.execId });
  const token = options.readToken();
  const stream = options.client.exec();
  stream.on('error', (error) => logger.debug('exec stream ended', { reason: error.message }));
  stream.write({ payload: { $case: 'attach', attach: { execId: start.execId, sandboxId: options.sandboxId, token } } });

  let command: RunningCommand;
  try {
    command = await startCommand({
      command: start.command,
      env: { ...options.baseEnv, ...start.environment },
      cwd: start.workdir === '' ? options.defaultWorkdir : start.workdir,
      stdin: 'pipe',
      isProcessGroup: true,
      ...(options.user !== undefined && { user: options.user }),
      ...(start.tty && { pty: { cols: start.cols || DEFAULT_PTY_SIZE.cols, rows: start.rows || DEFAULT_PTY_SIZE.rows } }),
    });
  } catch (error) {
    const exitCode = error instanceof CommandStartError ? error.exitCode : 126;
    const message = error instanceof Error ? error.message : String(error);
    logger.info('exec could not start', { exitCode, reason: message });
    stream.write({ payload: { $case: 'stderr', stderr: Buffer.from(`${message}\n`) } });
    return finish(stream, { exitCode, signal: '', timedOut: false });
  }
  logger.debug('exec started', { pid: command.pid, tty: start.tty });
  return superviseExec(start, command, stream);
}

function finish(stream: ExecStream, exit: ExecExit): ExecExit {
  stream.write({ payload: { $case: 'exit', exit } });
  stream.end();
  return exit;
}

async function superviseExec(start: ExecStart, command: RunningCommand, stream: ExecStream): Promise<ExecExit> {
  let isTimedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  let isExited = false;
  const terminate = (): void => {
    if (isExited || killTimer !== undefined) return;
    command.signal('SIGTERM');
    killTimer = setTimeout(() => command.signal('SIGKILL'), EXEC_KILL_GRACE_MS);
  };

  const output = new OutputCoalescer((which, data) => {
    const message: ExecFromSupervisor = which === 'stdout' ? { payload: { $case: 'stdout', stdout: data } } : { payload: { $case: 'stderr', stderr: data } };
    if (!stream.write(message)) {
      command.pauseOutput();
      stream.once('drain', () => command.resumeOutput());
    }
  });
  command.onOutput((which, chunk) => output.push(which, chunk));
  stream.on('data', (message: ExecToSupervisor) => {
    const payload = message.payload;
    switch (payload?.$case) {
      case 'stdin':
        if (!command.writeStdin(payload.stdin)) {
          // Stop reading the gateway until the child takes its input: stdin is not buffered without bound either.
          stream.pause();
          command.onceStdinDrain(() => stream.resume());
        }
        break;
      case 'stdinEof':
        command.endStdin();
        break;
      case 'resize':
        command.resize(payload.resize.cols, payload.resize.rows);
        break;
      case 'cancel':
        terminate();
        break;
    }
  });
  // The gateway vanished: nobody reads the output any more, so end the command as a cancel would.
  stream.on('error', terminate);
  const timeout =
    start.timeoutSeconds > 0
      ? setTimeout(() => {
          isTimedOut = true;
          terminate();
        }, start.timeoutSeconds * 1000)
      : undefined;

  const status = await command.exited;
  output.flush();
  isExited = true;
  clearTimeout(timeout);
  clearTimeout(killTimer);
  return finish(stream, isTimedOut ? { exitCode: EXEC_TIMEOUT_EXIT_CODE, signal: status.signal, timedOut: true } : { ...status, timedOut: false });
}
