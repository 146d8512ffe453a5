import { ErrorCode, ShellgateError } from '../errors.js';

/**
 * One bad setting, with where it came from (`FILE:LINE:key`, `FILE:LINE:COL`, `env NAME`,
 * `flag --name`) and, where there is a better next step than `--help`, how to fix it.
 */
export interface ConfigProblem {
  readonly origin: string;
  readonly message: string;
  readonly hint?: string;
}

const HELP_HINT = 'run with --help to list every setting, its type and where it can be set';

/**
 * The settings could not be resolved; lists every problem found, not just the first. With
 * one problem, the message is `ORIGIN: MESSAGE` and the hint is the problem's own.
 */
export class ConfigError extends ShellgateError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    const only = problems.length === 1 ? problems[0] : undefined;
    const lines = problems.map((problem) => `${problem.origin}: ${problem.message}${problem.hint === undefined ? '' : ` (${problem.hint})`}`);
    const message = only === undefined ? `${lines.length} config problems:\n  - ${lines.join('\n  - ')}` : `${only.origin}: ${only.message}`;
    super(ErrorCode.InvalidArgument, message, {
      hint: only?.hint ?? HELP_HINT,
      details: { problems },
    });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A config schema written by a driver author is itself wrong (a programming error). */
export class ConfigSchemaError extends ShellgateError {
  constructor(message: string) {
    super(ErrorCode.InvalidArgument, `invalid config schema: ${message}`, {
      hint: 'fix the defineConfig() call in the source',
    });
    this.name = 'ConfigSchemaError';
  }
}
