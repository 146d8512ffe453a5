const SUPERVISOR_ERROR_BRAND = Symbol.for('shellgate.SupervisorError');

/**
 * A failure the supervisor reports to whoever started it: the message names the object and
 * the reason, the hint says what to do next. `exitCode` is what the binary exits with.
 */
export class SupervisorError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  readonly [SUPERVISOR_ERROR_BRAND] = true;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SupervisorError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Whether `value` is a {@link SupervisorError}, even from another copy of this package. */
export function isSupervisorError(value: unknown): value is SupervisorError {
  return typeof value === 'object' && value !== null && SUPERVISOR_ERROR_BRAND in value;
}

/** Exit code for bad flags or environment: the caller, not the supervisor, must change. */
export const USAGE_EXIT_CODE = 2;
