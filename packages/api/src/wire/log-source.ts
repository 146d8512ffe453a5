/**
 * Log line vocabulary as upstream OpenShell speaks it: its CLI filters with
 * `--source gateway|sandbox` and its levels are upper case (`INFO`), so these are what goes on
 * the wire. Shellgate's finer split of a sandbox's lines (its main process's output or its
 * supervisor's own lines) travels in the line's fields under {@link LOG_ORIGIN_FIELD}.
 */
export const LogSource = {
  /** Lines the gateway itself writes about a sandbox (upstream: empty means this too). */
  Gateway: 'gateway',
  /** Lines from inside the sandbox. */
  Sandbox: 'sandbox',
} as const;
export type LogSource = (typeof LogSource)[keyof typeof LogSource];

/** Where inside the sandbox a `sandbox` line comes from. */
export const LogOrigin = {
  /** The main process's stdout/stderr. */
  Main: 'main',
  /** The supervisor's own lines. */
  Supervisor: 'supervisor',
} as const;
export type LogOrigin = (typeof LogOrigin)[keyof typeof LogOrigin];

/** The field of a `sandbox` line that names its {@link LogOrigin}. */
export const LOG_ORIGIN_FIELD = 'shellgate.source';

/** A level in upstream's spelling: `info` → `INFO`, `warning` → `WARN`. */
export function toWireLogLevel(level: string): string {
  const upper = level.trim().toUpperCase();
  return upper === 'WARNING' ? 'WARN' : upper;
}

/**
 * The upstream source and Shellgate origin of a line's `source`, in either spelling: an older
 * supervisor sends `main`/`supervisor` as the source itself.
 */
export function toWireLogSource(source: string, fields: Readonly<Record<string, string>>): { source: string; origin: string | undefined } {
  if (source === LogOrigin.Main || source === LogOrigin.Supervisor) return { source: LogSource.Sandbox, origin: source };
  return { source: source === '' ? LogSource.Gateway : source, origin: fields[LOG_ORIGIN_FIELD] };
}
