import { LOG_ORIGIN_FIELD, LogOrigin, LogSource } from '@shellgate/api';
import type { LogLine } from '@shellgate/api/session';
import { LineSplitter } from '../logging/line-splitter.js';
import type { SupervisorLogger } from '../logging/supervisor-logger.js';
import { CommandStartError } from './executable-lookup.js';
import type { ExitStatus } from './exit-status.js';
import type { OutputStream, ProcessUser, RunningCommand } from './running-command.js';
import { startCommand } from './start-command.js';

/** The canonical process's pty size, as `docker run -t` starts with. */
export const MAIN_PTY_SIZE = { cols: 80, rows: 24 } as const;

/** Log level per output stream: stdout is info, stderr is error (what most log tools assume). */
const LEVEL_BY_STREAM = { stdout: 'INFO', stderr: 'ERROR' } as const;

export interface MainProcessOptions {
  readonly command: readonly string[];
  readonly tty: boolean;
  readonly env: Readonly<Record<string, string>>;
  /** Present: run it as this user (the image's USER) rather than as the supervisor. */
  readonly user?: ProcessUser;
  readonly logger: SupervisorLogger;
  /** Where its output lines go (source "main"). */
  readonly onLogLine: (line: LogLine) => void;
  /** Its raw output, so `docker logs` keeps working: the supervisor's own stdout/stderr. */
  readonly passThrough: (stream: OutputStream, chunk: Buffer) => void;
}

/** The sandbox's canonical process: started once, its output logged line by line, its exit reported. */
export class MainProcess {
  private constructor(
    private readonly running: RunningCommand | undefined,
    /** Resolves with how it ended; a command that could not start ends with 127 or 126. */
    readonly exited: Promise<ExitStatus>,
  ) {}

  get pid(): number | undefined {
    return this.running?.pid;
  }

  /** Forwards a signal the supervisor received. */
  signal(signal: NodeJS.Signals): void {
    this.running?.signal(signal);
  }

  static async start(options: MainProcessOptions): Promise<MainProcess> {
    let running: RunningCommand;
    try {
      running = await startCommand({
        command: options.command,
        env: options.env,
        cwd: process.cwd(),
        stdin: options.tty ? 'pipe' : 'inherit',
        isProcessGroup: false,
        ...(options.user !== undefined && { user: options.user }),
        ...(options.tty && { pty: MAIN_PTY_SIZE }),
      });
    } catch (error) {
      if (!(error instanceof CommandStartError)) throw error;
      options.passThrough('stderr', Buffer.from(`${error.message}\n`));
      options.logger.error('main process could not start', { command: options.command.join(' '), exitCode: error.exitCode, reason: error.message });
      return new MainProcess(undefined, Promise.resolve({ exitCode: error.exitCode, signal: '' }));
    }
    const splitters = {
      stdout: new LineSplitter((message) => options.onLogLine(toMainLogLine('stdout', message, options.tty))),
      stderr: new LineSplitter((message) => options.onLogLine(toMainLogLine('stderr', message, options.tty))),
    };
    running.onOutput((stream, chunk) => {
      options.passThrough(stream, chunk);
      splitters[stream].write(chunk);
    });
    const exited = running.exited.then((status) => {
      splitters.stdout.end();
      splitters.stderr.end();
      return status;
    });
    return new MainProcess(running, exited);
  }
}

function toMainLogLine(stream: OutputStream, message: string, tty: boolean): LogLine {
  return { timestampMs: Date.now(), level: LEVEL_BY_STREAM[stream], source: LogSource.Sandbox, target: tty ? 'tty' : stream, message, fields: { [LOG_ORIGIN_FIELD]: LogOrigin.Main } };
}
