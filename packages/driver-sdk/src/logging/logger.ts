/** Structured fields attached to a log line. Values are data, never pre-formatted text. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The logging seam every SDK component takes through its constructor. {@link createLogger}
 * satisfies it; tests can pass {@link silentLogger} or a recorder.
 */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /**
   * False when `debug` lines are dropped, so a caller can skip building costly fields
   * (redacting a whole request). Optional: a logger without it is treated as enabled.
   */
  isDebugEnabled?(): boolean;
}

/** A logger that drops everything; the default where none is given. */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
  isDebugEnabled: () => false,
};
