import { join } from 'node:path';

import { DriverEnv } from '../env.js';

export interface ResolveStateDirOptions {
  /** `state_dir` from config; wins when set. */
  readonly configured: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process.getuid()`; 0 means root. */
  readonly uid: number;
  readonly homeDir: string;
}

/** Root's default: beside other system daemons' state. */
export const ROOT_STATE_DIR = '/var/lib/shellgate/driver-docker';

/**
 * Where token files and per-sandbox state live: `state_dir` if set; as root
 * `/var/lib/shellgate/driver-docker`; else `$XDG_STATE_HOME/shellgate/driver-docker` or
 * `~/.local/state/shellgate/driver-docker` (XDG base directory spec).
 */
export function resolveStateDir(options: ResolveStateDirOptions): string {
  if (options.configured !== undefined && options.configured !== '') return options.configured;
  if (options.uid === 0) return ROOT_STATE_DIR;
  const stateHome = options.env[DriverEnv.XdgStateHome];
  const base = stateHome !== undefined && stateHome.startsWith('/') ? stateHome : join(options.homeDir, '.local', 'state');
  return join(base, 'shellgate', 'driver-docker');
}
