import { quoteValue } from '../errors.js';
import type { ValidationProblem } from './validation-error.js';
import { throwIfProblems } from './validation-error.js';

/** Longest sandbox name the gateway can route (upstream OpenShell limit). */
export const MAX_SANDBOX_NAME_LENGTH = 19;

const SANDBOX_NAME_PATTERN = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;

/** Problems with a sandbox name (DNS label, starts with a letter, ≤ 19 chars); empty when valid. */
export function findSandboxNameProblems(name: string, field = 'name'): ValidationProblem[] {
  const quoted = quoteValue(name);
  if (name.length === 0) return [{ field, reason: 'must not be empty' }];
  if (name.length > MAX_SANDBOX_NAME_LENGTH) {
    return [{ field, reason: `${quoted} is ${name.length} characters; the limit is ${MAX_SANDBOX_NAME_LENGTH}` }];
  }
  if (!SANDBOX_NAME_PATTERN.test(name)) {
    return [
      {
        field,
        reason:
          `${quoted} must be lowercase letters, digits and "-", ` +
          'start with a letter and end with a letter or digit',
      },
    ];
  }
  return [];
}

/**
 * Checks a sandbox name: a DNS label of 1..19 characters ([a-z0-9-], starting with a
 * letter, ending with a letter or digit).
 * @throws InvalidArgumentError naming the field and the value.
 */
export function validateSandboxName(name: string, field = 'name'): void {
  throwIfProblems('sandbox name', findSandboxNameProblems(name, field), 'use e.g. "my-sandbox-1"');
}
