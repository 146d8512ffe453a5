import { StringDecoder } from 'node:string_decoder';

/** Longer lines are cut into pieces of this many characters, so one runaway line cannot grow without bound. */
export const MAX_LOG_LINE_CHARS = 16 * 1024;

/**
 * Turns a byte stream into text lines: UTF-8 decoded across chunk boundaries, `\n` separated,
 * a trailing `\r` removed (pty output ends lines with `\r\n`).
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    this.#consume(this.#pending + this.#decoder.write(chunk));
  }

  /** Emits the last, unterminated line, if any. */
  end(): void {
    const rest = this.#pending + this.#decoder.end();
    this.#pending = '';
    if (rest !== '') this.#emit(rest);
  }

  #consume(text: string): void {
    let start = 0;
    for (let newline = text.indexOf('\n', start); newline !== -1; newline = text.indexOf('\n', start)) {
      this.#emit(text.slice(start, newline));
      start = newline + 1;
    }
    let rest = text.slice(start);
    while (rest.length > MAX_LOG_LINE_CHARS) {
      this.onLine(rest.slice(0, MAX_LOG_LINE_CHARS));
      rest = rest.slice(MAX_LOG_LINE_CHARS);
    }
    this.#pending = rest;
  }

  #emit(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    for (let start = 0; start < text.length; start += MAX_LOG_LINE_CHARS) {
      this.onLine(text.slice(start, start + MAX_LOG_LINE_CHARS));
    }
    if (text.length === 0) this.onLine('');
  }
}
