import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import type { ShellgateErrorOptions } from '@shellgate/driver-sdk';

/** No usable driver, or a configured one that cannot be resolved. Fails startup. */
export class DriverSelectionError extends ShellgateError {
  constructor(message: string, options: ShellgateErrorOptions) {
    super(ErrorCode.FailedPrecondition, message, options);
    this.name = 'DriverSelectionError';
  }
}

/** A driver process that would not start or become ready; carries its exit and last lines. */
export class DriverStartError extends ShellgateError {
  readonly driverName: string;
  constructor(driverName: string, message: string, options: ShellgateErrorOptions) {
    super(ErrorCode.Unavailable, message, { ...options, details: { driver: driverName, ...options.details } });
    this.name = 'DriverStartError';
    this.driverName = driverName;
  }
}

/** A driver answered, but not like a compute driver of this protocol. */
export class DriverProtocolError extends ShellgateError {
  readonly driverName: string;
  constructor(driverName: string, message: string, options: ShellgateErrorOptions) {
    super(ErrorCode.FailedPrecondition, message, { ...options, details: { driver: driverName, ...options.details } });
    this.name = 'DriverProtocolError';
    this.driverName = driverName;
  }
}
