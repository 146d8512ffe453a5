import { isAbsolute, join } from 'node:path';

export type EnvMap = Readonly<Record<string, string | undefined>>;

/** What the default locations depend on; all injected so tests control them. */
export interface PathContext {
  readonly env: EnvMap;
  readonly homeDir: string;
  /** Effective uid; 0 picks the system-wide state directory. */
  readonly uid: number | undefined;
  /** Overrides `$XDG_CONFIG_HOME`. */
  readonly xdgConfigHome?: string;
}

/** XDG base directories must be absolute; a relative value is ignored, as the spec says. */
function xdgDir(value: string | undefined, fallback: string): string {
  return value !== undefined && isAbsolute(value) ? value : fallback;
}

/** `$XDG_CONFIG_HOME/shellgate/gateway.toml`, else `~/.config/shellgate/gateway.toml`. */
export function defaultConfigFilePath(context: PathContext): string {
  const base = xdgDir(context.xdgConfigHome ?? context.env.XDG_CONFIG_HOME, join(context.homeDir, '.config'));
  return join(base, 'shellgate', 'gateway.toml');
}

/** `/var/lib/shellgate` as root, else `$XDG_STATE_HOME/shellgate`, else `~/.local/state/shellgate`. */
export function defaultStateDir(context: PathContext): string {
  if (context.uid === 0) return '/var/lib/shellgate';
  return join(xdgDir(context.env.XDG_STATE_HOME, join(context.homeDir, '.local', 'state')), 'shellgate');
}
