import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';

/**
 * A problem in the gateway's configuration. `origin` names where the bad value came from
 * (`FILE:key` with a line where known, an env var, or a flag) and the hint says how to fix it.
 */
export class GatewayConfigError extends ShellgateError {
  readonly origin: string;

  constructor(origin: string, problem: string, hint: string, cause?: unknown) {
    super(ErrorCode.InvalidArgument, `${origin}: ${problem}`, { hint, details: { origin }, cause });
    this.name = 'GatewayConfigError';
    this.origin = origin;
  }
}
