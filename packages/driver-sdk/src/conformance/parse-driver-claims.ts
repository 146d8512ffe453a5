import { TomlError, parse as parseToml } from 'smol-toml';
import { InvalidArgumentError } from '../errors.js';

/** Optional behaviours a driver claims; a check for an unclaimed behaviour is skipped. */
export interface DriverClaims {
  /** StopSandbox/StartSandbox work, are idempotent and report `Suspended`. Default true. */
  readonly stopStart: boolean;
  /** EnsureWorkspace/DeleteWorkspace work and are idempotent. Default true. */
  readonly workspaces: boolean;
  /** After a restart (--restart-cmd) the driver still lists every sandbox. Default true. */
  readonly restartKeepsSandboxes: boolean;
  /** Ten creates at once all succeed. Default true. */
  readonly concurrentCreates: boolean;
  /** A new sandbox reports Ready=True within this many ms; 0 claims nothing. Default 30000. */
  readonly readyWithinMs: number;
}

/** What a driver claims when no claims file is given: everything. */
export const DEFAULT_DRIVER_CLAIMS: DriverClaims = Object.freeze({
  stopStart: true,
  workspaces: true,
  restartKeepsSandboxes: true,
  concurrentCreates: true,
  readyWithinMs: 30_000,
});

const BOOLEAN_KEYS = {
  stop_start: 'stopStart',
  workspaces: 'workspaces',
  restart_keeps_sandboxes: 'restartKeepsSandboxes',
  concurrent_creates: 'concurrentCreates',
} as const;
const KNOWN_KEYS = [...Object.keys(BOOLEAN_KEYS), 'ready_within_ms'];

/** The claims file format, for `--help`. */
export const CLAIMS_FILE_HELP = `Claims file (TOML; every key optional, the default claims everything):
  stop_start = true               Stop/Start work, are idempotent and report Suspended=True
  workspaces = true               EnsureWorkspace/DeleteWorkspace work and are idempotent
  restart_keeps_sandboxes = true  after --restart-cmd the driver still lists every sandbox
  concurrent_creates = true       10 creates at once all succeed
  ready_within_ms = 30000         a new sandbox reports Ready=True within this many ms (0: not claimed)
A check for a behaviour set to false (or 0) prints "skip"; nothing else is ever skipped.`;

/**
 * Reads a claims file. Unknown keys and wrong types are errors naming `path:key`, so a
 * typo cannot silently turn a check off.
 */
export function parseDriverClaims(text: string, path: string): DriverClaims {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text);
  } catch (error) {
    const where = error instanceof TomlError ? `${path}:${error.line}:${error.column}` : path;
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw claimsError(where, `invalid TOML: ${reason}`);
  }
  const claims: { -readonly [K in keyof DriverClaims]: DriverClaims[K] } = { ...DEFAULT_DRIVER_CLAIMS };
  for (const [key, value] of Object.entries(document)) {
    if (key === 'ready_within_ms') {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw claimsError(`${path}:${key}`, `expected a whole number of ms ≥ 0, got ${JSON.stringify(value)}`);
      }
      claims.readyWithinMs = value;
    } else if (key in BOOLEAN_KEYS) {
      if (typeof value !== 'boolean') throw claimsError(`${path}:${key}`, `expected true or false, got ${JSON.stringify(value)}`);
      claims[BOOLEAN_KEYS[key as keyof typeof BOOLEAN_KEYS]] = value;
    } else {
      throw claimsError(`${path}:${key}`, `unknown claim; known claims: ${KNOWN_KEYS.join(', ')}`);
    }
  }
  return Object.freeze(claims);
}

function claimsError(origin: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(`${origin}: ${message}`, {
    hint: 'see shellgate-driver-conformance --help for the claims file format',
    details: { origin },
  });
}
