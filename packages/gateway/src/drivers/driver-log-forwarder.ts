import type { LogFields, Logger } from '@shellgate/driver-sdk';

type Level = 'error' | 'warn' | 'info' | 'debug';

/** Longer lines are cut here (go-plugin caps too): a runaway driver cannot balloon our memory. */
export const MAX_DRIVER_LINE_BYTES = 16 * 1024;
const DEFAULT_RING_SIZE = 50;

const LEVEL_ALIASES: Readonly<Record<string, Level>> = {
  error: 'error',
  err: 'error',
  fatal: 'error',
  panic: 'error',
  critical: 'error',
  crit: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  notice: 'info',
  debug: 'debug',
  trace: 'debug',
  verbose: 'debug',
  silly: 'debug',
};

const PREFIX_PATTERN = /^\s*[[(]?\s*(error|err|fatal|panic|warn|warning|info|notice|debug|trace)\s*[\])]?\s*[:|\]-]?(\s|$)/i;
/** Node/Go/Rust/Python crash output: always worth an error line. */
const CRASH_PATTERN =
  /^(\s+at\s.+|\s*(\w+)?Error(\s*\[\w+\])?:\s|\s*Uncaught\s|panic:\s|goroutine \d+ \[|thread '.*' panicked|Traceback \(most recent call last\)|\s*node:internal\/)/;

/** A driver log line turned into one of ours. */
export interface ForwardedLine {
  readonly level: Level;
  readonly message: string;
  readonly fields: LogFields;
}

/** Reads a JSON log line (keeping level, message, fields) or guesses the level of plain text. */
export function classifyDriverLine(line: string): ForwardedLine {
  const json = parseJsonObject(line);
  if (json !== undefined) {
    const { level, message, msg, timestamp: _timestamp, ...fields } = json;
    const text = typeof message === 'string' ? message : typeof msg === 'string' ? msg : line;
    return { level: toLevel(level) ?? 'info', message: text, fields };
  }
  if (CRASH_PATTERN.test(line)) return { level: 'error', message: line, fields: {} };
  const prefix = PREFIX_PATTERN.exec(line);
  const level = prefix === null ? 'info' : (toLevel(prefix[1]) ?? 'info');
  return { level, message: line, fields: {} };
}

function toLevel(value: unknown): Level | undefined {
  if (typeof value === 'string') return LEVEL_ALIASES[value.toLowerCase()];
  // pino's numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
  if (typeof value === 'number') return value >= 50 ? 'error' : value >= 40 ? 'warn' : value >= 30 ? 'info' : 'debug';
  return undefined;
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits a driver's stdout/stderr into lines, forwards each into the driver's child
 * logger with a level, and keeps the last lines for startup diagnostics.
 */
export class DriverLogForwarder {
  readonly #logger: Logger;
  readonly #ringSize: number;
  readonly #ring: string[] = [];
  readonly #partial = new Map<string, { text: string; isTruncated: boolean }>();

  constructor(logger: Logger, ringSize = DEFAULT_RING_SIZE) {
    this.#logger = logger;
    this.#ringSize = ringSize;
  }

  /** Feeds a chunk of `stream` ('stdout' | 'stderr'); complete lines are forwarded at once. */
  write(stream: string, chunk: Buffer | string): void {
    const state = this.#partial.get(stream) ?? { text: '', isTruncated: false };
    const pieces = (state.text + chunk.toString()).split('\n');
    const rest = pieces.pop() ?? '';
    for (const [index, piece] of pieces.entries()) this.#emit(stream, piece, index === 0 && state.isTruncated);
    if (pieces.length > 0) state.isTruncated = false;
    if (Buffer.byteLength(rest) > MAX_DRIVER_LINE_BYTES) {
      // Flush the first 16 KiB now and drop the remainder of this line.
      if (!state.isTruncated) this.#emit(stream, rest, false);
      state.text = '';
      state.isTruncated = true;
    } else {
      state.text = state.isTruncated ? '' : rest;
    }
    this.#partial.set(stream, state);
  }

  /** Forwards whatever is left without a newline (call when the stream ends). */
  flush(stream: string): void {
    const state = this.#partial.get(stream);
    if (state !== undefined && state.text !== '') this.#emit(stream, state.text, false);
    this.#partial.delete(stream);
  }

  /** The last lines seen on either stream, oldest first (at most `count`). */
  lastLines(count = 20): string[] {
    return this.#ring.slice(-count);
  }

  #emit(stream: string, rawLine: string, isContinuation: boolean): void {
    if (isContinuation) return;
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    let isTruncated = false;
    if (Buffer.byteLength(line) > MAX_DRIVER_LINE_BYTES) {
      line = Buffer.from(line).subarray(0, MAX_DRIVER_LINE_BYTES).toString();
      isTruncated = true;
    }
    this.#ring.push(line);
    if (this.#ring.length > this.#ringSize) this.#ring.shift();
    const { level, message, fields } = classifyDriverLine(line);
    this.#logger[level](message, { ...fields, stream, ...(isTruncated ? { truncated: true } : {}) });
  }
}
