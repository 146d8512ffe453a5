import type { LogFields, Logger } from '../../logging/logger.js';

/** One captured log call, with the fields of every parent logger merged in. */
export interface RecordedLine {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly fields: LogFields;
}

/** A test logger that keeps every line in memory, without any redaction of its own. */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: RecordedLine[] = [],
    private readonly bound: LogFields = {},
  ) {}

  error(message: string, fields?: LogFields): void {
    this.record('error', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.record('warn', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.record('info', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.record('debug', message, fields);
  }
  child(fields: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.bound, ...fields });
  }

  /** Everything logged, as one JSON text, for "never appears" checks. */
  text(): string {
    return JSON.stringify(this.lines);
  }

  private record(level: RecordedLine['level'], message: string, fields: LogFields = {}): void {
    this.lines.push({ level, message, fields: { ...this.bound, ...fields } });
  }
}
