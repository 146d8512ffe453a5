import { defineConfig } from '../config/define-config.js';
import { formatConfigHelp } from '../config/format-config-help.js';
import { resolveConfig } from '../config/resolve-config.js';

/** Optional behaviours a driver claims; a check for an unclaimed behaviour is skipped. */
export interface DriverClaims {
  /** StopSandbox/StartSandbox work, are idempotent and report the stop. Default true. */
  readonly stopStart: boolean;
  /** EnsureWorkspace/DeleteWorkspace work and are idempotent. Default true. */
  readonly workspaces: boolean;
  /** After a restart (--restart-cmd) the driver still lists every sandbox. Default true. */
  readonly restartKeepsSandboxes: boolean;
  /** Ten creates at once all succeed. Default true. */
  readonly concurrentCreates: boolean;
  /** A new sandbox reports Ready=True within this many ms; 0 claims nothing. Default 30000. */
  readonly readyWithinMs: number;
  /**
   * ValidateSandboxCreate itself rejects an empty id and a name that is not a DNS label.
   * Default true; upstream OpenShell's drivers leave that to the gateway's API.
   */
  readonly validatesIdsAndNames: boolean;
}

/** What a driver claims when no claims file is given: everything. */
export const DEFAULT_DRIVER_CLAIMS: DriverClaims = Object.freeze({
  stopStart: true,
  workspaces: true,
  restartKeepsSandboxes: true,
  concurrentCreates: true,
  readyWithinMs: 30_000,
  validatesIdsAndNames: true,
});

const claimsSchema = defineConfig({
  keys: {
    stop_start: { type: 'boolean', default: DEFAULT_DRIVER_CLAIMS.stopStart, description: 'Stop/Start work, are idempotent and report the stop (Suspended=True or Ready=False ContainerExited)' },
    workspaces: { type: 'boolean', default: DEFAULT_DRIVER_CLAIMS.workspaces, description: 'EnsureWorkspace/DeleteWorkspace work and are idempotent' },
    restart_keeps_sandboxes: { type: 'boolean', default: DEFAULT_DRIVER_CLAIMS.restartKeepsSandboxes, description: 'after --restart-cmd the driver still lists every sandbox' },
    concurrent_creates: { type: 'boolean', default: DEFAULT_DRIVER_CLAIMS.concurrentCreates, description: '10 creates at once all succeed' },
    ready_within_ms: {
      type: 'integer',
      default: DEFAULT_DRIVER_CLAIMS.readyWithinMs,
      min: 0,
      description: 'a new sandbox reports Ready=True within this many ms (0: not claimed)',
    },
    validates_ids_and_names: {
      type: 'boolean',
      default: DEFAULT_DRIVER_CLAIMS.validatesIdsAndNames,
      description: 'ValidateSandboxCreate rejects an empty id and a name that is not a DNS label',
    },
  },
});

/** The claims file format, for `--help`. */
export const CLAIMS_FILE_HELP = `${formatConfigHelp(claimsSchema, 'Claims file (TOML; every key optional, the default claims everything):')}A check for a behaviour set to false (or 0) prints "skip"; nothing else is ever skipped.`;

/**
 * Reads a claims file. Unknown keys and wrong types are a `ConfigError` naming `path:LINE:key`,
 * so a typo cannot silently turn a check off.
 */
export function parseDriverClaims(text: string, path: string): DriverClaims {
  const claims = resolveConfig(claimsSchema, { file: { path, text } });
  return Object.freeze({
    stopStart: claims.stop_start,
    workspaces: claims.workspaces,
    restartKeepsSandboxes: claims.restart_keeps_sandboxes,
    concurrentCreates: claims.concurrent_creates,
    readyWithinMs: claims.ready_within_ms,
    validatesIdsAndNames: claims.validates_ids_and_names,
  });
}
