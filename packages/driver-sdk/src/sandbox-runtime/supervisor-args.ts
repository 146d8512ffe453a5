export interface SupervisorArgsOptions {
  /** The main process gets a pty (`spec.tty`). */
  readonly tty: boolean;
  /**
   * The user the supervisor runs the main process and every exec as (an image's non-root
   * `USER`); empty: the supervisor's own user.
   */
  readonly user?: string;
  /**
   * The operator's opt-out: the supervisor leaves the token file readable instead of
   * emptying it once read (`--keep-token-file`). Default false.
   */
  readonly isTokenFileKept?: boolean;
}

/**
 * The supervisor's arguments after the bundle's entrypoint:
 * `[--tty] [--user USER] [--keep-token-file] -- <canonical command>`.
 */
export function toSupervisorArgs(canonicalCommand: readonly string[], options: SupervisorArgsOptions): string[] {
  const user = options.user ?? '';
  return [
    ...(options.tty ? ['--tty'] : []),
    ...(user === '' ? [] : ['--user', user]),
    ...(options.isTokenFileKept === true ? ['--keep-token-file'] : []),
    '--',
    ...canonicalCommand,
  ];
}
