import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../errors.js';
import { CONFORMANCE_CHECKS } from './conformance-checks.js';
import { CLAIMS_FILE_HELP } from './parse-driver-claims.js';

/** What `shellgate-driver-conformance` was asked to do. */
export type ConformanceArgs =
  | { readonly action: 'help' }
  | {
      readonly action: 'run';
      readonly socketPath: string;
      readonly image: string | undefined;
      readonly claimsFile: string | undefined;
      readonly restartCommand: string | undefined;
      readonly timeoutMs: number | undefined;
      readonly only: readonly string[] | undefined;
    };

/** Full `--help` text: usage, options, checks and the claims file format. */
export function formatConformanceHelp(): string {
  const width = Math.max(...CONFORMANCE_CHECKS.map((check) => check.name.length));
  const checks = CONFORMANCE_CHECKS.map((check) => `  ${check.name.padEnd(width)}  ${check.description}`).join('\n');
  return `shellgate-driver-conformance: run the compute-driver contract suite against a running driver (any language).

Usage:
  shellgate-driver-conformance --socket PATH [--image IMG] [--claims FILE] [--restart-cmd CMD]
                               [--timeout-ms N] [--only NAME,...]

Options:
  --socket PATH       the driver's Unix socket (it must already be serving)
  --image IMG         image for test sandboxes (default: the driver's default_image)
  --claims FILE       TOML file of the optional behaviours the driver claims (below)
  --restart-cmd CMD   shell command that restarts the driver on the same socket; enables restart-keeps-sandboxes
  --timeout-ms N      bound of every wait, call and the restart command (default 30000)
  --only NAME,...     run only these checks
  --help              show this help

Prints one line per check ("ok   NAME  (12 ms)", "FAIL NAME: reason", "skip NAME: why") and then
"N passed, N failed" (plus ", N skipped"). Exit status: 0 all passed, 1 a check failed, 2 usage error.
Every test sandbox id and name starts with "sgc-<run id>-"; all are deleted at the end.

Checks:
${checks}

${CLAIMS_FILE_HELP}
`;
}

/** Parses the command line; throws InvalidArgumentError (exit 2) on anything wrong. */
export function parseConformanceArgs(argv: readonly string[]): ConformanceArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        socket: { type: 'string' },
        image: { type: 'string' },
        claims: { type: 'string' },
        'restart-cmd': { type: 'string' },
        'timeout-ms': { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { action: 'help' };
  const socketPath = stringValue(values.socket);
  if (socketPath === undefined || socketPath === '') throw usageError('--socket PATH is required');
  return {
    action: 'run',
    socketPath,
    image: stringValue(values.image),
    claimsFile: stringValue(values.claims),
    restartCommand: stringValue(values['restart-cmd']),
    timeoutMs: parseTimeout(stringValue(values['timeout-ms'])),
    only: stringValue(values.only)
      ?.split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  };
}

function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw usageError(`--timeout-ms must be a whole number of ms ≥ 1, got ${JSON.stringify(text)}`);
  }
  return value;
}

function usageError(message: string): InvalidArgumentError {
  return new InvalidArgumentError(message, { hint: 'run shellgate-driver-conformance --help' });
}
