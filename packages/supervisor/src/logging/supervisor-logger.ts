import { LOG_ORIGIN_FIELD, LogOrigin, LogSource, toWireLogLevel } from '@shellgate/api';
import type { LogLine } from '@shellgate/api/session';
import { isLevelEnabled, type LogLevel } from '../config/log-level.js';

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Where the supervisor's own lines go besides stderr: the queue for the gateway. */
export type LogLineSink = (line: LogLine) => void;

/**
 * The supervisor's own logger: JSON lines on stderr (the driver-stdio contract, STYLE.md
 * rule 11) and the same line, as source `sandbox` with origin `supervisor`, to the gateway. Callers never pass the
 * token; nothing here reads it.
 */
export class SupervisorLogger {
  constructor(
    private readonly threshold: LogLevel,
    private readonly sink: LogLineSink,
    private readonly target: string = 'supervisor',
    private readonly baseFields: LogFields = {},
    private readonly writeStderr: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  /** A logger whose lines carry `target` (the component) and extra fields. */
  child(target: string, fields: LogFields = {}): SupervisorLogger {
    return new SupervisorLogger(this.threshold, this.sink, target, { ...this.baseFields, ...fields }, this.writeStderr);
  }

  trace(message: string, fields?: LogFields): void {
    this.log('trace', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (!isLevelEnabled(level, this.threshold)) return;
    const timestampMs = Date.now();
    const allFields = { ...this.baseFields, ...fields };
    const lineFields: Record<string, string> = { [LOG_ORIGIN_FIELD]: LogOrigin.Supervisor };
    for (const [key, value] of Object.entries(allFields)) {
      if (value !== undefined) lineFields[key] = String(value);
    }
    this.writeStderr(`${JSON.stringify({ time: new Date(timestampMs).toISOString(), level, target: this.target, message, ...allFields })}\n`);
    this.sink({ timestampMs, level: toWireLogLevel(level), source: LogSource.Sandbox, target: this.target, message, fields: lineFields });
  }
}
