import { chownSync } from 'node:fs';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { toExitStatus, type ExitStatus } from './exit-status.js';
import { checkWorkdir, CommandStartError, lookupExecutable } from './executable-lookup.js';
import type { CommandSpec, OutputStream, ProcessUser, RunningCommand } from './running-command.js';

/**
 * Hands the pty's slave device to the user the child runs as, as runc does for `docker run
 * -t -u`: programs that open their terminal by name (pinentry, mesg, write) need to own it.
 * node-pty opens it as root and does not type the name (UnixTerminal.ptsName).
 */
function giveTerminalTo(terminal: IPty, user: ProcessUser): void {
  const ptsName = (terminal as IPty & { readonly ptsName?: string }).ptsName;
  if (ptsName === undefined) return;
  try {
    chownSync(ptsName, user.uid, user.gid);
  } catch {
    // Best effort: the child already has the terminal open; only re-opening it by name needs this.
  }
}

/** Starts `spec` in a pseudo-terminal (node-pty); all output is reported as stdout. */
export function startPtyCommand(spec: CommandSpec & { pty: { cols: number; rows: number } }): RunningCommand {
  const [file, ...args] = spec.command;
  if (file === undefined) throw new CommandStartError('shellgate: empty command', 127);
  checkWorkdir(spec.cwd);
  const executable = lookupExecutable(file, spec.env.PATH, spec.cwd, spec.user);
  const terminal = spawnPty(executable, args, {
    name: spec.env.TERM ?? 'xterm-256color',
    cols: spec.pty.cols,
    rows: spec.pty.rows,
    cwd: spec.cwd,
    env: { ...spec.env },
    // null: raw bytes, no decoding; the client's terminal decodes.
    encoding: null,
    ...(spec.user !== undefined && { uid: spec.user.uid, gid: spec.user.gid }),
  });
  if (spec.user !== undefined) giveTerminalTo(terminal, spec.user);
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
