import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { toExitStatus, type ExitStatus } from './exit-status.js';
import { CommandStartError } from './executable-lookup.js';
import type { CommandSpec, OutputStream, RunningCommand } from './running-command.js';

/**
 * After the process exits, output pipes still open with no data for this long are closed: a
 * background grandchild (`sh -c 'daemon &'`) may hold them forever.
 */
const ORPHANED_PIPE_IDLE_MS = 500;

function toStartError(command: string, error: NodeJS.ErrnoException): CommandStartError {
  if (error.code === 'ENOENT') return new CommandStartError(`shellgate: ${command}: command not found`, 127);
  if (error.code === 'EACCES' || error.code === 'EISDIR' || error.code === 'ENOEXEC') {
    return new CommandStartError(`shellgate: ${command}: permission denied`, 126);
  }
  return new CommandStartError(`shellgate: ${command}: cannot execute (${error.code ?? error.message})`, 126);
}

/** Starts `spec` with child_process pipes; rejects with {@link CommandStartError} when it cannot run. */
export async function startPipeCommand(spec: CommandSpec): Promise<RunningCommand> {
  const [file, ...args] = spec.command;
  if (file === undefined) throw new CommandStartError('shellgate: empty command', 127);
  const child = spawn(file, args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: [spec.stdin, 'pipe', 'pipe'],
    detached: spec.isProcessGroup,
    ...(spec.user !== undefined && { uid: spec.user.uid, gid: spec.user.gid }),
  });
  try {
    await once(child, 'spawn');
  } catch (error) {
    throw toStartError(file, error as NodeJS.ErrnoException);
  }
  const stdout = child.stdout as Readable;
  const stderr = child.stderr as Readable;
  const listeners: ((stream: OutputStream, chunk: Buffer) => void)[] = [];
  let lastOutputAt = Date.now();
  let isPaused = false;
  const forward = (stream: OutputStream) => (chunk: Buffer) => {
    lastOutputAt = Date.now();
    for (const listener of listeners) listener(stream, chunk);
  };
  stdout.on('data', forward('stdout'));
  stderr.on('data', forward('stderr'));
  child.stdin?.on('error', () => undefined);
  const pid = child.pid as number;

  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      const status = toExitStatus(code, signal);
      const idleCheck = setInterval(() => {
        if (!isPaused && Date.now() - lastOutputAt >= ORPHANED_PIPE_IDLE_MS) {
          stdout.destroy();
          stderr.destroy();
        }
      }, ORPHANED_PIPE_IDLE_MS);
      child.once('close', () => {
        clearInterval(idleCheck);
        resolve(status);
      });
    });
  });

  return {
    pid,
    exited,
    onOutput: (listener) => listeners.push(listener),
    writeStdin: (data) => child.stdin?.write(data) ?? true,
    onceStdinDrain: (listener) => child.stdin?.once('drain', listener),
    endStdin: () => child.stdin?.end(),
    resize: () => undefined,
    signal: (signal) => {
      try {
        process.kill(spec.isProcessGroup ? -pid : pid, signal);
      } catch {
        // Already gone: nothing left to signal.
      }
    },
    pauseOutput: () => {
      isPaused = true;
      stdout.pause();
      stderr.pause();
    },
    resumeOutput: () => {
      isPaused = false;
      lastOutputAt = Date.now();
      stdout.resume();
      stderr.resume();
    },
  };
}
