export interface SupervisorArgsOptions {
  /** The main process gets a pty (`spec.tty`). */
  readonly tty: boolean;
  /**
   * The user the supervisor runs the main process and every exec as (an image's non-root
   * `USER`); empty: the supervisor's own user.
   */
  readonly user?: string;
}

/**
 * The supervisor's arguments after the bundle's entrypoint:
 * `[--tty] [--user USER] -- <canonical command>`.
 */
export function toSupervisorArgs(canonicalCommand: readonly string[], options: SupervisorArgsOptions): string[] {
  const user = options.user ?? '';
  return [...(options.tty ? ['--tty'] : []), ...(user === '' ? [] : ['--user', user]), '--', ...canonicalCommand];
}
