import { join } from 'node:path';

export interface ResolveDriverStateDirOptions {
  /** The directory name under the state root, e.g. `driver-docker`. */
  readonly driverDirName: string;
  /** `state_dir` from config; wins when set. */
  readonly configured: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process.getuid()`; 0 means root. */
  readonly uid: number;
  readonly homeDir: string;
}

/** Root's state root: beside other system daemons' state. */
export const ROOT_STATE_ROOT = '/var/lib/shellgate';

/**
 * Where a driver keeps token files and per-sandbox state: `state_dir` if set; as root
 * `/var/lib/shellgate/<driver>`; else `$XDG_STATE_HOME/shellgate/<driver>` or
 * `~/.local/state/shellgate/<driver>` (XDG base directory spec; a relative XDG_STATE_HOME
 * is ignored, as the spec says).
 */
export function resolveDriverStateDir(options: ResolveDriverStateDirOptions): string {
  if (options.configured !== undefined && options.configured !== '') return options.configured;
  if (options.uid === 0) return join(ROOT_STATE_ROOT, options.driverDirName);
  const stateHome = options.env['XDG_STATE_HOME'];
  const base = stateHome !== undefined && stateHome.startsWith('/') ? stateHome : join(options.homeDir, '.local', 'state');
  return join(base, 'shellgate', options.driverDirName);
}
