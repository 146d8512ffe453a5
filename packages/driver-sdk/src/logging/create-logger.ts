import winston from 'winston';

import type { Logger } from './logger.js';
import { redactBearerTokens, redactSecrets } from './redact-secrets.js';

/** The levels a Shellgate binary accepts for `--log-level`, most to least severe. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** True when `value` names a level of {@link LOG_LEVELS} (lower case). */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Lines below this level are dropped. */
  level: LogLevel;
  /** The binary or component name, written as the `name` field of every line. */
  name: string;
  /** Where JSON lines go; default `process.stderr`, because a driver's stdout is a contract. */
  stream?: NodeJS.WritableStream;
}

const LEVEL_PRIORITIES: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * A winston format that masks secrets at any depth of a log line (see `redactSecrets`),
 * including `Bearer xxx` credentials inside the message text. Winston's own symbol-keyed
 * bookkeeping (level, splat) is carried over untouched.
 */
export const redactionFormat = winston.format((info) => {
  const redacted = redactSecrets<winston.Logform.TransformableInfo>({ ...info });
  if (typeof info.message === 'string') redacted.message = redactBearerTokens(info.message);
  for (const symbol of Object.getOwnPropertySymbols(info)) {
    (redacted as unknown as Record<symbol, unknown>)[symbol] = (info as unknown as Record<symbol, unknown>)[symbol];
  }
  return redacted;
});

/**
 * The root logger of a binary: JSON lines (`level`, `message`, `timestamp`, `name`, plus
 * fields) with secrets redacted, written to stderr. Build it once in `main` and hand it down.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  return winston.createLogger({
    levels: LEVEL_PRIORITIES,
    level: options.level,
    defaultMeta: { name: options.name },
    format: winston.format.combine(winston.format.timestamp(), redactionFormat(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
}
