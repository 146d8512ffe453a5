import { createConnection } from 'node:net';
import type { Socket } from 'node:net';

/** Bytes of console output kept per VM: enough for the last boot messages, bounded whatever the guest writes. */
export const CONSOLE_TAIL_BYTES = 64 * 1024;

/** What `/init` prints when the entrypoint ends (see guest/init.sh). */
const EXIT_LINE = /shellgate-init: entrypoint exited with code (\d+)/;

/**
 * Reads a VM's serial console from its socket: keeps the last {@link CONSOLE_TAIL_BYTES}
 * for diagnostics and notes the entrypoint's exit code when `/init` reports it (for the
 * status message only: root in the guest can print the same line). QEMU drops console
 * output while nobody is connected, so the guest never blocks on a slow reader.
 */
export class ConsoleTap {
  /** Settles once the socket is connected; rejects when it cannot be. */
  readonly connected: Promise<void>;
  readonly #socket: Socket;
  #tail = '';
  #exitCode: number | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.connected = new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.connected.catch(() => undefined);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', () => socket.destroy());
  }

  /** Connects to the console socket; a failure leaves a tap that saw nothing. */
  static connect(path: string): ConsoleTap {
    return new ConsoleTap(createConnection(path));
  }

  /** The entrypoint's exit code, once `/init` printed it. */
  get entrypointExitCode(): number | undefined {
    return this.#exitCode;
  }

  /** The last lines of console output, at most `lines`. */
  lastLines(lines: number): string[] {
    return this.#tail.split('\n').map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== '').slice(-lines);
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: string): void {
    this.#tail = (this.#tail + chunk).slice(-CONSOLE_TAIL_BYTES);
    const match = EXIT_LINE.exec(chunk) ?? EXIT_LINE.exec(this.#tail.slice(-chunk.length - 80));
    if (match !== null) this.#exitCode = Number(match[1]);
  }
}
