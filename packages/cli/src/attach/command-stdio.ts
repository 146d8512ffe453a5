import type { Readable, Writable } from 'node:stream';

/** Columns and rows of a terminal. */
export interface TerminalSize {
  readonly cols: number;
  readonly rows: number;
}

/**
 * The local terminal, as commands that attach to a process in the sandbox see it. The
 * binary backs it with the real tty (process-stdio.ts); tests inject a fake, so raw mode and
 * resizes are testable without a pty.
 */
export interface Terminal {
  /** True when stdin is a terminal: raw mode and `sandbox connect` need one. */
  readonly isStdinTty: boolean;
  /** The window size, or undefined when neither stdout nor stderr is a terminal. */
  size(): TerminalSize | undefined;
  /** Raw mode on stdin: keys (Ctrl-C, Ctrl-D too) go to the sandbox as bytes. */
  setRawMode(isRaw: boolean): void;
  /** Calls `listener` on every window resize (SIGWINCH); returns the unsubscribe. */
  onResize(listener: (size: TerminalSize) => void): () => void;
}

/** Byte streams and the terminal, for exec, connect and `create -- CMD`. */
export interface CommandStdio {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly terminal: Terminal;
}
