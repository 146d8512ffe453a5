import { formatTextLine } from './format-text-line.js';
import type { LogFields, Logger } from './logger.js';
import { redactBearerTokens, redactSecrets } from './redact-secrets.js';

/** The levels a Shellgate binary accepts for `--log-level`, most to least severe. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** True when `value` names a level of {@link LOG_LEVELS} (lower case). */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * How lines are written: `json` (one object per line, for machines and the gateway's driver
 * log forwarding), `text` (for a person at a terminal), or `auto`: text when the stream is a
 * terminal, else JSON.
 */
export const LOG_FORMATS = ['auto', 'json', 'text'] as const;
/** One of {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Lines below this level are dropped. */
  level: LogLevel;
  /** The binary or component name, written as the `name` field of every line. */
  name: string;
  /** Where lines go; default `process.stderr`, because a driver's stdout is a contract. */
  stream?: NodeJS.WritableStream;
  /** Default `json`: drivers always log JSON lines, which the gateway forwards. */
  format?: LogFormat;
}

const LEVEL_PRIORITIES: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

const guardedStreams = new WeakSet<NodeJS.WritableStream>();

/**
 * The root logger of a binary: one JSON object per line (the logger's and the call's fields,
 * then `level`, `message`, `timestamp`) with secrets redacted at any depth, written to stderr;
 * or, in `text` format, the same entry as `TIME LEVEL COMPONENT: MESSAGE key=value …`
 * (redacted the same way). Build it once in `main` and hand it down.
 *
 * Deliberately not winston: a driver process has a 60 MB idle-RSS and 300 ms cold-start
 * budget (issue 2), and loading winston alone cost 12 MB and about 50 ms of it
 * (bench/src/driver-process.ts). Writing a line is all we need.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  if (!guardedStreams.has(stream)) {
    // A gateway that died closes our stderr pipe; failing to log must not crash the driver
    // while it drains.
    stream.on('error', () => undefined);
    guardedStreams.add(stream);
  }
  const render = isTextFormat(options.format ?? 'json', stream)
    ? (entry: Record<string, unknown>): string => formatTextLine(entry, options.name)
    : stringifyEntry;
  return new LineLogger(stream, render, LEVEL_PRIORITIES[options.level], { name: options.name });
}

function isTextFormat(format: LogFormat, stream: NodeJS.WritableStream): boolean {
  return format === 'text' || (format === 'auto' && (stream as { isTTY?: boolean }).isTTY === true);
}

class LineLogger implements Logger {
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly render: (entry: Record<string, unknown>) => string,
    private readonly threshold: number,
    private readonly fields: LogFields,
  ) {}

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }

  isDebugEnabled(): boolean {
    return LEVEL_PRIORITIES.debug <= this.threshold;
  }

  child(fields: LogFields): Logger {
    return new LineLogger(this.stream, this.render, this.threshold, { ...this.fields, ...fields });
  }

  private write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (LEVEL_PRIORITIES[level] > this.threshold) return;
    const entry = redactSecrets({
      ...this.fields,
      ...fields,
      level,
      message: redactBearerTokens(message),
      timestamp: new Date().toISOString(),
    });
    this.stream.write(`${this.render(entry)}\n`);
  }
}

function stringifyEntry(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch (error) {
    return JSON.stringify({ level: entry.level, message: entry.message, timestamp: entry.timestamp, logError: String(error) });
  }
}
