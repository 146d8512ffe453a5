import { SupervisorError } from '../errors.js';

/** The credential calls {@link makeNonDumpable} needs; `process` in production, a fake in tests. */
export interface EffectiveGroupApi {
  geteuid?(): number;
  getegid?(): number;
  setegid?(id: number | string): void;
}

/**
 * Makes this process non-dumpable, so that no other process of the sandbox, root included
 * (Docker drops CAP_SYS_PTRACE), can read its memory, and with it the token it holds, through
 * /proc/PID/mem, /proc/PID/environ or ptrace. Node has no prctl(PR_SET_DUMPABLE), but the
 * kernel resets the dumpable flag to fs.suid_dumpable (0, or 2 = root-only; both deny) whenever
 * a process's effective gid changes (commit_creds), so root moves its egid away and back.
 * The children it starts are dumpable again (execve resets the flag), which they may be: they
 * hold nothing of the supervisor's memory.
 * @returns undefined when done, else why it was not (not root, setegid refused).
 * @throws SupervisorError when the original egid cannot be restored.
 */
export function makeNonDumpable(credentials: EffectiveGroupApi = process): string | undefined {
  if (credentials.geteuid === undefined || credentials.getegid === undefined || credentials.setegid === undefined) return 'this platform has no effective ids';
  if (credentials.geteuid() !== 0) return 'the supervisor does not run as root';
  const egid = credentials.getegid();
  // A low gid: a user namespace's mapping holds low ids far more often than 65534.
  const transientGid = egid === 1 ? 2 : 1;
  try {
    credentials.setegid(transientGid);
  } catch (error) {
    return `setegid(${transientGid}) failed: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  try {
    credentials.setegid(egid);
  } catch (cause) {
    throw new SupervisorError(`cannot restore the supervisor's effective gid ${egid}`, { hint: 'the container refuses setegid back to its own group; report this', cause });
  }
  return undefined;
}
