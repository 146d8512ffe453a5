import type { ExitStatus } from './exit-status.js';

export type OutputStream = 'stdout' | 'stderr';

/** The uid and gid a child runs as (supplementary groups: none). */
export interface ProcessUser {
  readonly uid: number;
  readonly gid: number;
}

/** What to run and how; `command` is argv (no shell). */
export interface CommandSpec {
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Present: run in a pseudo-terminal of this size; all output then arrives as stdout. */
  readonly pty?: { readonly cols: number; readonly rows: number };
  /** `inherit` passes the supervisor's own stdin (the main process); `pipe` makes it writable. */
  readonly stdin: 'pipe' | 'inherit';
  /** Its own process group, so a signal reaches the whole tree (exec); the main process stays in ours. */
  readonly isProcessGroup: boolean;
  /** Present: run as this uid/gid instead of the supervisor's own (which must then be root). */
  readonly user?: ProcessUser;
}

/** A started process, the same shape whether it has pipes or a pty. */
export interface RunningCommand {
  readonly pid: number;
  /** Called for each output chunk as it arrives (no re-splitting, no copies). */
  onOutput(listener: (stream: OutputStream, chunk: Buffer) => void): void;
  writeStdin(data: Buffer): boolean;
  /** Calls `listener` once stdin can take more after {@link writeStdin} returned false. */
  onceStdinDrain(listener: () => void): void;
  endStdin(): void;
  resize(cols: number, rows: number): void;
  signal(signal: NodeJS.Signals): void;
  /** Stops reading output (backpressure); the child blocks once the pipe fills. */
  pauseOutput(): void;
  resumeOutput(): void;
  /** Resolves once the process has exited and all of its output has been delivered. */
  readonly exited: Promise<ExitStatus>;
}
