import { spawn as spawnPty } from 'node-pty';
import { toExitStatus, type ExitStatus } from './exit-status.js';
import { checkWorkdir, CommandStartError, lookupExecutable } from './executable-lookup.js';
import type { CommandSpec, OutputStream, RunningCommand } from './running-command.js';

/** Starts `spec` in a pseudo-terminal (node-pty); all output is reported as stdout. */
export function startPtyCommand(spec: CommandSpec & { pty: { cols: number; rows: number } }): RunningCommand {
  const [file, ...args] = spec.command;
  if (file === undefined) throw new CommandStartError('shellgate: empty command', 127);
  checkWorkdir(spec.cwd);
  const executable = lookupExecutable(file, spec.env.PATH, spec.cwd);
  const terminal = spawnPty(executable, args, {
    name: spec.env.TERM ?? 'xterm-256color',
    cols: spec.pty.cols,
    rows: spec.pty.rows,
    cwd: spec.cwd,
    env: { ...spec.env },
    // null: raw bytes, no decoding; the client's terminal decodes.
    encoding: null,
  });
  const listeners: ((stream: OutputStream, chunk: Buffer) => void)[] = [];
  terminal.onData((data: string | Buffer) => {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    for (const listener of listeners) listener('stdout', chunk);
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    terminal.onExit(({ exitCode, signal }) => resolve(toExitStatus(exitCode, signal)));
  });
  return {
    pid: terminal.pid,
    exited,
    onOutput: (listener) => listeners.push(listener),
    writeStdin: (data) => {
      terminal.write(data);
      return true;
    },
    onceStdinDrain: (listener) => listener(),
    // A pty has no separate end of input: ^D at the start of a line is what a terminal sends.
    endStdin: () => terminal.write('\x04'),
    resize: (cols, rows) => {
      try {
        terminal.resize(cols, rows);
      } catch {
        // The process exited between the request and now: nothing to resize.
      }
    },
    signal: (signal) => {
      try {
        terminal.kill(signal);
      } catch {
        // Already gone.
      }
    },
    pauseOutput: () => terminal.pause(),
    resumeOutput: () => terminal.resume(),
  };
}
