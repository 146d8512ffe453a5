import type { ExecSandboxRequest } from '@shellgate/api';
import type { ExecStart } from '@shellgate/api/session';
import { findEnvironmentProblems, throwIfProblems, type ValidationProblem } from '@shellgate/driver-sdk';

/** Longest exec timeout: Node timers cannot wait longer than 2^31-1 ms. */
export const MAX_EXEC_TIMEOUT_SECONDS = 2_147_483;
/** Largest terminal size accepted (struct winsize holds 16-bit values). */
export const MAX_TERMINAL_CELLS = 65_535;

/**
 * The one reserved key an exec may set: upstream's Python SDK sends the pickled callable of
 * `exec_python()` in it, and upstream's gateway allows exactly this key (issue 15).
 */
export const EXEC_ALLOWED_RESERVED_ENV_KEYS: readonly string[] = ['OPENSHELL_PYFUNC_B64'];

/** What exec_start carries, without the exec id the broker assigns. */
export type ExecCommand = Omit<ExecStart, 'execId'>;

/**
 * Checks an exec request and turns it into the command the supervisor runs: a non-empty
 * argv without NUL characters, an absolute workdir (or none), an environment within the
 * sandbox limits (of the reserved keys only `OPENSHELL_PYFUNC_B64`), a timeout a timer can
 * hold, and a sane terminal size.
 * @throws InvalidArgumentError listing every problem by field.
 */
export function parseExecRequest(request: ExecSandboxRequest): ExecCommand {
  throwIfProblems('exec request', findExecRequestProblems(request));
  return {
    command: [...request.command],
    workdir: request.workdir,
    environment: { ...request.environment },
    timeoutSeconds: request.timeoutSeconds,
    tty: request.tty,
    cols: request.cols,
    rows: request.rows,
  };
}

function findExecRequestProblems(request: ExecSandboxRequest): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (request.command.length === 0 || request.command[0] === '') {
    problems.push({ field: 'command', reason: 'must name a program (argv[0]); it runs without a shell' });
  }
  request.command.forEach((arg, index) => {
    if (arg.includes('\0')) problems.push({ field: `command[${index}]`, reason: 'contains a NUL character' });
  });
  if (request.workdir !== '' && !request.workdir.startsWith('/')) problems.push({ field: 'workdir', reason: 'must be an absolute path' });
  if (request.workdir.includes('\0')) problems.push({ field: 'workdir', reason: 'contains a NUL character' });
  problems.push(...findEnvironmentProblems(request.environment, 'environment', EXEC_ALLOWED_RESERVED_ENV_KEYS));
  if (request.timeoutSeconds > MAX_EXEC_TIMEOUT_SECONDS) {
    problems.push({ field: 'timeout_seconds', reason: `is ${request.timeoutSeconds}; the limit is ${MAX_EXEC_TIMEOUT_SECONDS} (0 means no timeout)` });
  }
  if (request.cols > MAX_TERMINAL_CELLS) problems.push({ field: 'cols', reason: `is ${request.cols}; the limit is ${MAX_TERMINAL_CELLS}` });
  if (request.rows > MAX_TERMINAL_CELLS) problems.push({ field: 'rows', reason: `is ${request.rows}; the limit is ${MAX_TERMINAL_CELLS}` });
  return problems;
}
