import { spawn } from 'node:child_process';

/** How much of a failed command's stderr its error keeps. */
const STDERR_TAIL_CHARS = 2000;

/** A host tool (apt-get, dpkg-deb, mkfs.erofs, docker...) failed or could not start. */
export class HostCommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(`${command} ${exitCode === null ? 'could not run' : `exited with code ${exitCode}`}${stderr === '' ? '' : `: ${stderr}`}`, options);
    this.name = 'HostCommandError';
  }

  /** The command was not found on PATH. */
  get isMissing(): boolean {
    return (this.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  }
}

export interface HostCommandOptions {
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is closed afterwards; default: no stdin. */
  readonly input?: string | Uint8Array;
}

/** Runs a host tool to its end; resolves with its stdout. */
export type RunHostCommand = (file: string, args: readonly string[], options?: HostCommandOptions) => Promise<string>;

/**
 * The real {@link RunHostCommand}: no shell, stdout collected, the tail of stderr kept for
 * the error.
 * @throws HostCommandError when the command cannot start or exits non-zero.
 */
export const runHostCommand: RunHostCommand = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { cwd: options.cwd, env: options.env, signal: options.signal, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    child.stdin.end(options.input);
    const name = [file, ...args.slice(0, 2)].join(' ');
    child.on('error', (error) => reject(new HostCommandError(name, null, '', { cause: error })));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'));
      else reject(new HostCommandError(name, code, stderr.trim()));
    });
  });
