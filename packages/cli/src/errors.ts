import { ExitCode } from './exit-code.js';

const CLI_ERROR_BRAND = Symbol.for('shellgate.CliError');

export interface CliErrorOptions {
  /** What the user should do next; printed after the message. */
  hint?: string;
  /** The gRPC status name behind the error, when it came from the gateway. */
  grpcCode?: string;
  cause?: unknown;
}

/**
 * Every failure the CLI reports: a message naming the object and the reason, the exit code
 * scripts see, and a hint saying what to do. Recognise it with {@link isCliError}.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly grpcCode: string | undefined;

  constructor(exitCode: ExitCode, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.grpcCode = options.grpcCode;
    Object.defineProperty(this, CLI_ERROR_BRAND, { value: true });
  }
}

/** A usage error (exit 2): bad flags, arguments or local input. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(ExitCode.Usage, message, hint === undefined ? {} : { hint });
    this.name = 'UsageError';
  }
}

/** True for any {@link CliError}, even one from another loaded copy of this package. */
export function isCliError(value: unknown): value is CliError {
  return typeof value === 'object' && value !== null && CLI_ERROR_BRAND in value;
}

/** The one-line form users see: `message; hint`. */
export function formatCliError(error: CliError): string {
  return error.hint === undefined ? error.message : `${error.message}; ${error.hint}`;
}
