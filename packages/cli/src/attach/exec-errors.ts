import { CliError, isCliError } from '../errors.js';
import { ExitCode } from '../exit-code.js';

/** The sandbox an exec runs in, as resolved by GetSandbox. */
export interface ExecTarget {
  readonly id: string;
  readonly name: string;
  /** The phase GetSandbox reported, for messages: `Ready`, `Provisioning`, ... */
  readonly phase: string;
}

/** The sandbox is not Ready, so nothing can run in it: say the phase and what to do. */
export function sandboxNotReadyError(name: string, phase: string, detail?: string): CliError {
  const hint =
    phase === 'Stopped'
      ? `start it with 'shellgate sandbox start ${name} --wait'`
      : phase === 'Error'
        ? `see 'shellgate sandbox get ${name} -o yaml' for its conditions`
        : `wait until it is Ready ('shellgate sandbox watch ${name} --stop-on-terminal'), or check 'shellgate sandbox get ${name}'`;
  const reason = detail === undefined || detail === '' ? '' : `: ${detail}`;
  return new CliError(ExitCode.Conflict, `sandbox "${name}" is not Ready (phase ${phase})${reason}`, { hint, grpcCode: 'FAILED_PRECONDITION' });
}

/**
 * Rewrites the two failures an exec stream adds to the usual ones: FAILED_PRECONDITION
 * (not Ready; says the phase) and UNAVAILABLE (the session to the sandbox was lost).
 */
export function toExecError(error: unknown, target: ExecTarget): unknown {
  if (!isCliError(error)) return error;
  const detail = detailOf(error);
  if (error.grpcCode === 'FAILED_PRECONDITION') return sandboxNotReadyError(target.name, target.phase, detail);
  if (error.grpcCode === 'UNAVAILABLE') {
    return new CliError(ExitCode.Unavailable, `lost the exec session with sandbox "${target.name}"${detail === '' ? '' : `: ${detail}`}`, {
      hint: `the command's output may be cut short; check the sandbox with 'shellgate sandbox get ${target.name}' and retry`,
      grpcCode: error.grpcCode,
      cause: error,
    });
  }
  return error;
}

/** The session ended without telling us how the command exited. */
export function missingExitError(target: ExecTarget): CliError {
  return new CliError(ExitCode.Unavailable, `lost the exec session with sandbox "${target.name}": it ended without the command's exit status`, {
    hint: `check the sandbox with 'shellgate sandbox get ${target.name}' and retry`,
  });
}

function detailOf(error: CliError): string {
  const cause = error.cause as { details?: unknown } | undefined;
  return typeof cause?.details === 'string' ? cause.details.trim() : '';
}
