import type { LogFields, Logger } from '../logging/logger.js';

/** One line a {@link RecordingLogger} kept, with the fields of its child loggers merged in. */
export interface RecordedLogLine {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly fields: LogFields;
}

interface SharedLog {
  readonly lines: RecordedLogLine[];
  readonly waiters: Set<() => void>;
}

/**
 * A {@link Logger} that keeps every line (its children write to the same list), so tests
 * can assert what was, or was not, logged, and wait for a line without sleeping.
 */
export class RecordingLogger implements Logger {
  private readonly shared: SharedLog;

  constructor(
    shared?: SharedLog,
    private readonly base: LogFields = {},
  ) {
    this.shared = shared ?? { lines: [], waiters: new Set() };
  }

  get lines(): readonly RecordedLogLine[] {
    return this.shared.lines;
  }

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
    return new RecordingLogger(this.shared, { ...this.base, ...fields });
  }

  /** Lines at `level`, optionally only those whose message matches. */
  at(level: RecordedLogLine['level'], message?: RegExp): RecordedLogLine[] {
    return this.shared.lines.filter((line) => line.level === level && (message === undefined || message.test(line.message)));
  }

  /** Resolves once at least `count` lines at `level` match `message`. */
  async waitFor(level: RecordedLogLine['level'], message: RegExp, count = 1): Promise<void> {
    if (this.at(level, message).length >= count) return;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.at(level, message).length < count) return;
        this.shared.waiters.delete(check);
        resolve();
      };
      this.shared.waiters.add(check);
    });
  }

  /** Every line as one string, for "this secret never appears" checks. */
  text(): string {
    return JSON.stringify(this.shared.lines);
  }

  private record(level: RecordedLogLine['level'], message: string, fields: LogFields | undefined): void {
    this.shared.lines.push({ level, message, fields: { ...this.base, ...fields } });
    for (const check of [...this.shared.waiters]) check();
  }
}
