// A program run inside a real pseudo-terminal (node-pty), driven the way a person at a terminal
// would: type keys, wait for text on the screen, resize the window.
import { spawn, type IPty } from 'node-pty';

export class PtySession {
  private output = '';
  private exitCode: number | undefined;
  private readonly exited: Promise<number>;

  private constructor(private readonly pty: IPty) {
    pty.onData((data) => (this.output += data));
    this.exited = new Promise((resolve) =>
      pty.onExit(({ exitCode }) => {
        this.exitCode = exitCode;
        resolve(exitCode);
      }),
    );
  }

  static start(file: string, args: readonly string[], options: { cols?: number; rows?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): PtySession {
    const env = Object.fromEntries(Object.entries(options.env ?? process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return new PtySession(spawn(file, [...args], { name: 'xterm', cols: options.cols ?? 80, rows: options.rows ?? 24, env, cwd: options.cwd }));
  }

  /** Everything the program wrote so far. */
  get screen(): string {
    return this.output;
  }

  write(keys: string): void {
    this.pty.write(keys);
  }

  resize(cols: number, rows: number): void {
    this.pty.resize(cols, rows);
  }

  /** Waits until the output after `fromIndex` matches `pattern`; the error shows the output. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000, fromIndex = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = this.output.slice(fromIndex).match(pattern);
      if (match !== null) return match;
      if (this.exitCode !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${pattern} on the terminal within ${timeoutMs} ms (exit ${this.exitCode ?? 'none'}); it shows:\n${this.output.slice(fromIndex)}`);
  }

  /** Resolves with the exit code, killing the program after `timeoutMs`. */
  async waitForExit(timeoutMs = 20_000): Promise<number> {
    const timer = setTimeout(() => this.pty.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    if (this.exitCode === undefined) this.pty.kill('SIGKILL');
  }
}
