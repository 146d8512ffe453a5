import { InvalidArgumentError } from '../errors.js';

/** One thing wrong with one field: `field` is the proto path, e.g. `spec.template.resources.cpu_limit`. */
export interface ValidationProblem {
  field: string;
  reason: string;
}

/**
 * Throws one InvalidArgumentError listing every problem, so a caller fixes them all in one
 * round trip instead of one per attempt. Does nothing when `problems` is empty.
 */
export function throwIfProblems(subject: string, problems: readonly ValidationProblem[], hint?: string): void {
  if (problems.length === 0) return;
  const listed = problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; ');
  throw new InvalidArgumentError(`invalid ${subject}: ${listed}`, {
    hint,
    details: { problems: problems.map((problem) => ({ ...problem })) },
  });
}
