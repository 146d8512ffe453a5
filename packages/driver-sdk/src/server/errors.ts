import { ErrorCode, ShellgateError } from '../errors.js';

/** The driver binary was started with flags or env it cannot use; `runDriverMain` exits 2. */
export class DriverUsageError extends ShellgateError {
  /** Where the bad input came from: `flag --x`, `env NAME` or `argument X`. */
  readonly origin: string;
  constructor(origin: string, message: string) {
    super(ErrorCode.InvalidArgument, `${origin}: ${message}`, {
      hint: 'run with --help to list the flags and settings',
      details: { origin },
    });
    this.name = 'DriverUsageError';
    this.origin = origin;
  }
}
