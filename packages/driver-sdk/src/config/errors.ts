import { ErrorCode, ShellgateError } from '../errors.js';

/** One bad setting, with where it came from: `FILE:key`, `FILE:LINE:COL`, `env NAME` or `flag --name`. */
export interface ConfigProblem {
  readonly origin: string;
  readonly message: string;
}

/** The driver's settings could not be resolved; lists every problem found, not just the first. */
export class ConfigError extends ShellgateError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((problem) => `${problem.origin}: ${problem.message}`);
    const message = lines.length === 1 ? lines[0]! : `${lines.length} config problems:\n  - ${lines.join('\n  - ')}`;
    super(ErrorCode.InvalidArgument, message, {
      hint: 'run with --help to list every setting, its type and where it can be set',
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
      hint: 'fix the defineConfig() call in the driver source',
    });
    this.name = 'ConfigSchemaError';
  }
}
