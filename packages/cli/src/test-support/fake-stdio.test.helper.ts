// Test support: byte streams and a fake terminal for runCli's `stdio`, so exec, connect and
// `create -- CMD` are testable without a pty. Records raw-mode switches and lets a test
// fire window resizes.
import { PassThrough, Writable } from 'node:stream';
import type { CommandStdio, Terminal, TerminalSize } from '../attach/command-stdio.js';

/** A writable that keeps every chunk; `highWaterMark` and `delayMs` let a test make it slow. */
export class CollectingWritable extends Writable {
  readonly chunks: Buffer[] = [];
  /** write() calls made while the stream had asked its writer to wait for 'drain'. */
  writesWhileFull = 0;
  /** How often the stream asked its writer to wait (write() returned false). */
  fullCount = 0;
  readonly #delayMs: number;

  constructor(options: { highWaterMark?: number; delayMs?: number } = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024 });
    this.#delayMs = options.delayMs ?? 0;
  }

  override write(chunk: unknown, ...rest: never[]): boolean {
    if (this.writableNeedDrain) this.writesWhileFull += 1;
    const isAccepted = super.write(chunk, ...rest);
    if (!isAccepted) this.fullCount += 1;
    return isAccepted;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    if (this.#delayMs === 0) callback();
    else setTimeout(callback, this.#delayMs);
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export class FakeTerminal implements Terminal {
  /** Every setRawMode call, in order. */
  readonly rawModes: boolean[] = [];
  readonly isStdinTty: boolean;
  #size: TerminalSize | undefined;
  readonly #listeners = new Set<(size: TerminalSize) => void>();

  constructor(options: { isStdinTty?: boolean; size?: TerminalSize } = {}) {
    this.isStdinTty = options.isStdinTty ?? false;
    this.#size = options.size;
  }

  get isRaw(): boolean {
    return this.rawModes.at(-1) ?? false;
  }

  size(): TerminalSize | undefined {
    return this.#size;
  }

  setRawMode(isRaw: boolean): void {
    this.rawModes.push(isRaw);
  }

  onResize(listener: (size: TerminalSize) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Resizes the window as SIGWINCH would report it. */
  resize(size: TerminalSize): void {
    this.#size = size;
    for (const listener of this.#listeners) listener(size);
  }

  get resizeListenerCount(): number {
    return this.#listeners.size;
  }
}

export interface FakeStdio extends CommandStdio {
  readonly stdin: PassThrough;
  readonly stdout: CollectingWritable;
  readonly stderr: CollectingWritable;
  readonly terminal: FakeTerminal;
}

/** Stdin is an open PassThrough: write to it, end() it for EOF. */
export function createFakeStdio(options: { isStdinTty?: boolean; size?: TerminalSize; stdout?: CollectingWritable } = {}): FakeStdio {
  return {
    stdin: new PassThrough(),
    stdout: options.stdout ?? new CollectingWritable(),
    stderr: new CollectingWritable(),
    terminal: new FakeTerminal(options),
  };
}
