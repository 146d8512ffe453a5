/**
 * Exit codes scripts can rely on. They are part of the CLI's public contract: `--help`,
 * the README and {@link EXIT_CODE_DESCRIPTIONS} list the same set, and a test keeps them equal.
 */
export const ExitCode = {
  Ok: 0,
  /** The operation ran and failed, e.g. the sandbox went to Error. */
  Failed: 1,
  /** Bad flags, arguments or local files, or a request the gateway rejected as invalid. */
  Usage: 2,
  NotFound: 3,
  /** Already exists, or a conflict with the object's current state. */
  Conflict: 4,
  /** The gateway cannot be reached or says it is unavailable. */
  Unavailable: 5,
  /** Unauthenticated or permission denied. */
  Unauthorized: 6,
  /** A deadline passed: a call's --timeout or a --wait. 124 as in timeout(1). */
  Timeout: 124,
  /** Interrupted by SIGINT (Ctrl-C). 128 + 2, as shells report it. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per exit code, in order, for `--help` and the README. */
export const EXIT_CODE_DESCRIPTIONS: ReadonlyArray<readonly [ExitCode, string]> = [
  [ExitCode.Ok, 'success'],
  [ExitCode.Failed, 'the operation failed (e.g. the sandbox went to Error)'],
  [ExitCode.Usage, 'usage error: bad flag, argument or file, or the gateway rejected the input'],
  [ExitCode.NotFound, 'not found'],
  [ExitCode.Conflict, 'already exists, or conflicts with the current state'],
  [ExitCode.Unavailable, 'gateway unreachable or unavailable'],
  [ExitCode.Unauthorized, 'unauthenticated or permission denied'],
  [ExitCode.Timeout, 'timed out (--timeout, or waiting with --wait)'],
  [ExitCode.Interrupted, 'interrupted (Ctrl-C)'],
];
