import type { CommandStdio, Terminal, TerminalSize } from './command-stdio.js';

/** Signals that would kill us with the terminal still raw; we restore it, then die of them as before. */
const FATAL_SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** The process's own stdin/stdout/stderr and tty: what the binary attaches. */
export function createProcessStdio(): CommandStdio {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, terminal: new ProcessTerminal() };
}

/**
 * The real terminal. While raw, it also restores cooked mode on process exit and on the
 * fatal signals, so no exit path leaves the user's shell raw.
 */
class ProcessTerminal implements Terminal {
  #isRaw = false;
  readonly #restore = (): void => this.setRawMode(false);
  readonly #onFatalSignal = (signal: NodeJS.Signals): void => {
    this.setRawMode(false);
    process.kill(process.pid, signal);
  };

  get isStdinTty(): boolean {
    return process.stdin.isTTY === true;
  }

  size(): TerminalSize | undefined {
    const tty = process.stdout.isTTY ? process.stdout : process.stderr.isTTY ? process.stderr : undefined;
    return tty === undefined ? undefined : { cols: tty.columns, rows: tty.rows };
  }

  setRawMode(isRaw: boolean): void {
    if (isRaw === this.#isRaw || !process.stdin.isTTY) return;
    this.#isRaw = isRaw;
    process.stdin.setRawMode(isRaw);
    if (isRaw) {
      process.once('exit', this.#restore);
      for (const signal of FATAL_SIGNALS) process.once(signal, this.#onFatalSignal);
    } else {
      process.off('exit', this.#restore);
      for (const signal of FATAL_SIGNALS) process.off(signal, this.#onFatalSignal);
    }
  }

  onResize(listener: (size: TerminalSize) => void): () => void {
    const onSignal = (): void => {
      const size = this.size();
      if (size !== undefined) listener(size);
    };
    process.on('SIGWINCH', onSignal);
    return () => void process.off('SIGWINCH', onSignal);
  }
}
